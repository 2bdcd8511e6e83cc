# Where the service runs: exactly one runtime per environment, runtime.kind in conf/app.json.
#
#   instance_group (default): one VM on the Container Optimized Image, always on, restarted in place when
#     its /health stops answering. The service holds its Finnhub connections continuously. With ha.enabled,
#     ha.instances VMs over the zones, which share the keys through a Kafka consumer group (kafka.tf).
#   serverless_container: the original style. A timer starts one run every serverless_interval_minutes;
#     each run ends before the execution timeout, so consecutive runs never overlap; between runs
#     nothing is collected.
#
# Never two at once: Finnhub allows one connection per key, and a second one drops both. Hence
#   - module.config.runtime_count gates every resource below (1 for the chosen runtime, 0 for the other;
#     the config module refuses any other runtime.kind), and ci/terraform checks that gating;
#   - the serverless container depends on the instance group, so switching runtime.kind in one apply
#     destroys the old runtime before it creates the new one, in both directions (ci/terraform shows
#     Terraform orders it so);
#   - without ha.enabled the instance group never grows past one VM, not even while healing or updating
#     (deploy_policy); with it, the instances' consumer group hands each key to one of them, and the config
#     module refuses HA for the serverless runtime.

locals {
  image = "cr.yandex/${yandex_container_repository.service.name}:${local.cfg.registry.image_tag}"

  # Plain settings of the service in the cloud (outputs.tf shows them as runtime_environment); everything
  # else comes from conf/app.json inside the image, for APP_ENV. HA_ENABLED is the ha.enabled this apply sized
  # the group for: an image built before ha.enabled changed must not run two VMs that each hold every key.
  service_environment = {
    APP_ENV                 = var.environment
    KAFKA_BOOTSTRAP_SERVERS = local.kafka_bootstrap_servers
    KAFKA_USERNAME          = yandex_mdb_kafka_user.producer.name
    HA_ENABLED              = tostring(module.config.ha.enabled)
  }

  # Where the service finds its secrets on the VM (config/LockboxSecrets.java): ids only, no values. Pinned
  # versions: a rotated secret changes this value, so apply rolls the VM and the new process reads it.
  lockbox_secret_references = join(",", [
    for name, secret in local.lockbox_secrets :
    "${secret.key}=${yandex_lockbox_secret.this[name].id}@${yandex_lockbox_secret_version.this[name].id}"
  ])
}

# Both runtimes log here: the VM through its log agent, the serverless container natively.
resource "yandex_logging_group" "service" {
  name             = "${local.name}-service"
  description      = "finnhub-stream service output (${local.cfg.runtime.kind})"
  folder_id        = local.folder_id
  labels           = local.labels
  retention_period = "${local.cfg.runtime.log_retention_hours}h"
}

resource "yandex_resourcemanager_folder_iam_member" "runtime_logging" {
  folder_id = local.folder_id
  role      = "logging.writer"
  member    = "serviceAccount:${yandex_iam_service_account.runtime.id}"
}

# ---------------------------------------------------------------------------------------------------------
# instance_group

data "yandex_compute_image" "coi" {
  count = module.config.runtime_count.instance_group

  family    = "container-optimized-image"
  folder_id = "standard-images"
}

# Instance Groups act as this account: creates, restarts and deletes the VM, and attaches the runtime
# account to it.
resource "yandex_iam_service_account" "instance_group" {
  count = module.config.runtime_count.instance_group

  name        = "${local.name}-instance-group"
  description = "Instance Groups: manages the finnhub-stream VM"
  folder_id   = local.folder_id
  labels      = local.labels
}

resource "yandex_resourcemanager_folder_iam_member" "instance_group" {
  for_each = toset(module.config.runtime_count.instance_group == 1 ? ["compute.editor", "iam.serviceAccounts.user", "vpc.user", "vpc.publicAdmin"] : [])

  folder_id = local.folder_id
  role      = each.key
  member    = "serviceAccount:${yandex_iam_service_account.instance_group[0].id}"
}

module "container_spec" {
  source = "./modules/container-spec"

  image           = local.image
  environment     = merge(local.service_environment, { LOCKBOX_SECRETS = local.lockbox_secret_references })
  http_port       = local.cfg.http.port
  log_group_id    = yandex_logging_group.service.id
  log_agent_image = local.cfg.runtime.log_agent_image
}

resource "yandex_compute_instance_group" "service" {
  count = module.config.runtime_count.instance_group

  name               = "${local.name}-service"
  description        = "finnhub-stream, always on: ${module.config.ha.instance_group.size} VM(s) on the Container Optimized Image"
  folder_id          = local.folder_id
  service_account_id = yandex_iam_service_account.instance_group[0].id
  labels             = local.labels

  instance_template {
    description        = "finnhub-stream ${var.environment}"
    platform_id        = local.cfg.runtime.vm_platform_id
    service_account_id = yandex_iam_service_account.runtime.id # pulls the image, reads Lockbox, writes logs
    labels             = local.labels

    resources {
      cores         = local.cfg.runtime.vm_cores
      memory        = local.cfg.runtime.vm_memory_gb
      core_fraction = local.cfg.runtime.vm_core_fraction
    }

    boot_disk {
      initialize_params {
        image_id = data.yandex_compute_image.coi[0].id
        size     = local.cfg.runtime.vm_disk_gb
        type     = "network-ssd"
      }
    }

    network_interface {
      network_id         = yandex_vpc_network.this.id
      subnet_ids         = [for zone in module.config.ha.instance_group.zones : yandex_vpc_subnet.this[zone].id]
      security_group_ids = [yandex_vpc_security_group.runtime.id]
      nat                = true # outbound: Finnhub, Container Registry, Lockbox, Cloud Logging
    }

    metadata = {
      docker-compose = module.container_spec.docker_compose
      user-data      = module.container_spec.user_data
    }

    # The service gets its IAM token from the GCE-style metadata endpoint (Metadata-Flavor: Google);
    # the AWS-style one is not needed.
    metadata_options {
      gce_http_endpoint    = 1
      gce_http_token       = 1
      aws_v1_http_endpoint = 2
      aws_v1_http_token    = 2
    }
  }

  # One VM in yc.zone; with ha.enabled ha.instances VMs spread over every zone with a subnet (config module).
  scale_policy {
    fixed_scale {
      size = module.config.ha.instance_group.size
    }
  }

  allocation_policy {
    zones = module.config.ha.instance_group.zones
  }

  # Without HA never two VMs, hence never two connections with one Finnhub key: with max_expansion 0 Instance
  # Groups may not create a replacement beside the old VM (with any positive value it would start the new one
  # first, during healing and during every update); max_unavailable 1 lets it stop the old VM first and start
  # the new one after. The price is a short gap per update or heal; the alternative breaks both.
  # With ha.enabled max_expansion is 1: the new VM joins the consumer group beside the old ones and the keys
  # move over to it (break before make, about a second per key) instead of waiting for a VM to boot.
  deploy_policy {
    max_expansion    = module.config.ha.instance_group.max_expansion
    max_unavailable  = 1
    max_creating     = 1
    max_deleting     = 1
    startup_duration = 120 # image pull and JVM start before health checks count
  }

  # Liveness of the process only (/health answers while the event loop runs), not "connected to Finnhub":
  # a Finnhub outage or a quiet weekend must not make the group recreate the VM over and over. Generous:
  # about 2.5 minutes without an answer before the VM is restarted.
  health_check {
    interval            = 30
    timeout             = 10
    healthy_threshold   = 2
    unhealthy_threshold = 5
    http_options {
      port = local.cfg.http.port
      path = "/health"
    }
  }

  depends_on = [
    yandex_resourcemanager_folder_iam_member.instance_group,
    yandex_container_registry_iam_binding.puller,
    yandex_lockbox_secret_iam_member.runtime,
    yandex_resourcemanager_folder_iam_member.runtime_logging,
  ]
}

# ---------------------------------------------------------------------------------------------------------
# serverless_container

# Timer-driven runs in "task" mode: each invocation runs the image's entrypoint, which stops the service
# cleanly after RUN_SECONDS (serverless_stop_before_timeout_s before the execution timeout). Lockbox
# injects the secrets natively. One run at a time: the interval exceeds the timeout (config module).
resource "yandex_serverless_container" "service" {
  count = module.config.runtime_count.serverless_container

  name               = "${local.name}-service"
  description        = "finnhub-stream, one run per timer tick (${module.config.serverless_run.cron}, UTC)"
  folder_id          = local.folder_id
  labels             = local.labels
  memory             = local.cfg.runtime.serverless_memory_mb
  cores              = local.cfg.runtime.serverless_cores
  core_fraction      = local.cfg.runtime.serverless_core_fraction
  concurrency        = 1
  execution_timeout  = "${module.config.serverless_run.execution_timeout}s"
  service_account_id = yandex_iam_service_account.runtime.id

  runtime {
    type = "task"
  }

  image {
    url         = local.image
    environment = merge(local.service_environment, { RUN_SECONDS = tostring(module.config.serverless_run.run_seconds) })
  }

  dynamic "secrets" {
    for_each = local.lockbox_secrets
    content {
      id                   = yandex_lockbox_secret.this[secrets.key].id
      version_id           = yandex_lockbox_secret_version.this[secrets.key].id
      key                  = secrets.value.key
      environment_variable = secrets.value.key
    }
  }

  # Kafka's brokers have private addresses only; containers in the network reach them from 198.19.0.0/16
  # (network.tf allows that range on 9091 for this runtime).
  connectivity {
    network_id = yandex_vpc_network.this.id
  }

  log_options {
    log_group_id = yandex_logging_group.service.id
    min_level    = "INFO"
  }

  # The instance group is destroyed before this container is created, and this container before the
  # instance group is created: a runtime switch never overlaps.
  depends_on = [
    yandex_compute_instance_group.service,
    yandex_container_registry_iam_binding.puller,
    yandex_lockbox_secret_iam_member.runtime,
    yandex_resourcemanager_folder_iam_member.runtime_logging,
  ]
}

resource "yandex_iam_service_account" "invoker" {
  count = module.config.runtime_count.serverless_container

  name        = "${local.name}-invoker"
  description = "The timer trigger: invokes the finnhub-stream container"
  folder_id   = local.folder_id
  labels      = local.labels
}

resource "yandex_serverless_container_iam_binding" "invoker" {
  count = module.config.runtime_count.serverless_container

  container_id = yandex_serverless_container.service[0].id
  role         = "serverless.containers.invoker"
  members      = ["serviceAccount:${yandex_iam_service_account.invoker[0].id}"]
}

# No retries: a run that fails is followed by the next tick; a retry could overlap it.
resource "yandex_function_trigger" "service" {
  count = module.config.runtime_count.serverless_container

  name        = "${local.name}-service-timer"
  description = "starts a finnhub-stream run every ${local.cfg.runtime.serverless_interval_minutes} min"
  folder_id   = local.folder_id
  labels      = local.labels

  timer {
    cron_expression = module.config.serverless_run.cron
  }

  container {
    id                 = yandex_serverless_container.service[0].id
    service_account_id = yandex_iam_service_account.invoker[0].id
  }

  depends_on = [yandex_serverless_container_iam_binding.invoker]
}
