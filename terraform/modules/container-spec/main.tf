# What the Container Optimized Image runs on the instance group's VM: a Docker Compose specification (the
# service, and a Fluent Bit agent that ships its output to Cloud Logging with the VM's service account), and
# the cloud-config that writes the agent's configuration. Documented pattern: Yandex's "Transferring logs
# from COI to Cloud Logging".

locals {
  log_agent_port = 24224
  # Docker's fluentd log driver sends each stdout line tagged with the service name; the agent parses the
  # level out of the logback pattern (src/main/resources/logback.xml) and keeps the whole line as the message.
  log_tag = "finnhub-stream"

  compose = {
    version = "3.7"
    volumes = { kafka-buffer = {} }
    services = {
      finnhub-stream = {
        container_name = "finnhub-stream"
        image          = var.image
        restart        = "always"
        environment    = var.environment
        ports          = ["${var.http_port}:${var.http_port}"]
        # The Kafka writer's outage buffer on a named volume: it outlives container restarts (auto-healing
        # recreates the container, not the VM disk), and Docker copies the image directory's ownership
        # (the service's non-root user) into it on first use, which a host bind mount would not.
        volumes    = ["kafka-buffer:/var/lib/finnhub-stream/kafka-buffer"]
        depends_on = ["log-agent"]
        logging = {
          driver = "fluentd"
          options = {
            fluentd-address = "localhost:${local.log_agent_port}"
            # Start and keep running even while the agent is down (lines are buffered, not lost).
            fluentd-async = "true"
            tag           = local.log_tag
          }
        }
      }
      log-agent = {
        container_name = "log-agent"
        image          = var.log_agent_image
        restart        = "always"
        # Loopback only: the log driver connects from the VM itself; nothing outside may inject lines.
        ports = ["127.0.0.1:${local.log_agent_port}:${local.log_agent_port}"]
        volumes = [
          "/etc/fluentbit/fluentbit.conf:/fluent-bit/etc/fluent-bit.conf:ro",
          "/etc/fluentbit/parsers.conf:/fluent-bit/etc/parsers.conf:ro",
        ]
      }
    }
  }

  fluent_bit_conf = <<-EOT
    [SERVICE]
        Flush        1
        Log_Level    warn
        Parsers_File /fluent-bit/etc/parsers.conf

    [INPUT]
        Name   forward
        Listen 0.0.0.0
        Port   ${local.log_agent_port}

    [FILTER]
        Name         parser
        Match        ${local.log_tag}
        Key_Name     log
        Parser       service_line
        Reserve_Data On
        Preserve_Key On

    [OUTPUT]
        Name          yc-logging
        Match         *
        group_id      ${var.log_group_id}
        message_key   log
        level_key     level
        default_level INFO
        authorization instance-service-account
  EOT

  # "<time> <LEVEL> [<thread>] <logger> - <message>"; continuation lines (stack traces) do not match and
  # keep the default level.
  parsers_conf = <<-EOT
    [PARSER]
        Name   service_line
        Format regex
        Regex  ^\S+ (?<level>TRACE|DEBUG|INFO|WARN|ERROR)\s+\[(?<thread>[^\]]*)\] (?<logger>\S+) - .*$
  EOT

  cloud_config = {
    write_files = [
      { path = "/etc/fluentbit/fluentbit.conf", permissions = "0644", content = local.fluent_bit_conf },
      { path = "/etc/fluentbit/parsers.conf", permissions = "0644", content = local.parsers_conf },
    ]
  }
}
