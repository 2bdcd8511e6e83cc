# Resolves conf/app.json for one environment exactly as the service does (config/ConfigResolver.java):
# each section is merge(common.<section>, environments.<env>.<section>), one level deep, so a nested
# object is replaced whole; keys starting with "$" are comments. ci/terraform compares this module's
# output with the service's own resolution for every environment.

locals {
  app          = jsondecode(file(var.config_file))
  common       = local.app.common
  environments = local.app.environments
  env          = try(local.environments[var.environment], {})

  section_names = sort(setunion(keys(local.common), keys(local.env)))
  cfg = {
    for name in local.section_names : name => {
      for key, value in merge(try(local.common[name], {}), try(local.env[name], {})) : key => value if !startswith(key, "$")
    }
  }

  # An environment Terraform deploys says where its state lives; "local" (the developer's machine) does not.
  deployable = contains(keys(local.env), "backend")

  # Every key Terraform and the project's schema tool read, by section, and the value rules Terraform shares
  # with the service: generated from the one declaration of every key (src/main/java/dev/finnhubstream/config/
  # ConfigKeys.java) into keys.json. The sections Terraform owns hold exactly these keys (anything else is a typo
  # or a dead key); from the service's sections it reads only these. ci/terraform checks that the .tf files read
  # exactly terraform_reads.
  keys               = jsondecode(file("${path.module}/keys.json"))
  terraform_sections = local.keys.terraform_sections
  terraform_reads    = local.keys.terraform_reads
  tool_reads         = local.keys.tool_reads

  scopes = merge({ common = local.common }, { for name, env in local.environments : "environments.${name}" => env })
  unknown_keys = flatten([
    for scope, sections in local.scopes : [
      for section in local.terraform_sections : [
        for key in keys(try(sections[section], {})) : "${scope}.${section}.${key}"
        if !startswith(key, "$") && !contains(local.terraform_reads[section], key) && !contains(lookup(local.tool_reads, section, []), key)
      ]
    ]
  ])
  missing_keys = flatten([
    for section, known in local.terraform_reads : [
      for key in known : "${section}.${key}" if !contains(keys(try(local.cfg[section], {})), key)
    ]
  ])

  # Value rules for a deployed environment, each one line naming the key and the fix. Evaluated only once
  # every key is there (the missing ones are reported first).
  cidr_lists = {
    "clickhouse.admin_cidrs"     = local.checkable ? local.cfg.clickhouse.admin_cidrs : []
    "runtime.health_check_cidrs" = local.checkable ? local.cfg.runtime.health_check_cidrs : []
    "runtime.source_cidrs"       = local.checkable ? local.cfg.runtime.source_cidrs : []
    "runtime.metrics_cidrs"      = local.checkable ? local.cfg.runtime.metrics_cidrs : []
    "network.subnets"            = local.checkable ? values(local.cfg.network.subnets) : []
  }
  checkable = local.deployable && length(local.missing_keys) == 0
  problems = local.checkable ? concat(
    [for list, cidrs in local.cidr_lists : "${list}: ${jsonencode(cidrs)} holds an invalid IPv4 CIDR. Fix: use a.b.c.d/n" if !alltrue([for c in cidrs : can(cidrhost(c, 0))])],
    compact([
      can(regex("^[a-z][a-z0-9-]{1,20}$", local.cfg.yc.project)) ? "" : "yc.project: \"${local.cfg.yc.project}\" cannot prefix resource names. Fix: 2-21 characters, lower-case letters, digits and '-'",
      length(local.cfg.runtime.health_check_cidrs) > 0 ? "" : "runtime.health_check_cidrs: empty, so the runtime's health checks could not reach http.port. Fix: list their source ranges",
      contains(keys(local.cfg.network.subnets), local.cfg.yc.zone) ? "" : "yc.zone: ${local.cfg.yc.zone} has no subnet. Fix: add it to network.subnets",
      length(setsubtract(local.cfg.kafka_cluster.zones, keys(local.cfg.network.subnets))) == 0 ? "" : "kafka_cluster.zones: ${join(", ", setsubtract(local.cfg.kafka_cluster.zones, keys(local.cfg.network.subnets)))} have no subnet. Fix: add them to network.subnets",
      contains(local.cfg.kafka_cluster.zones, local.cfg.yc.zone) ? "" : "kafka_cluster.zones: must include yc.zone (${local.cfg.yc.zone}), where ClickHouse and Data Transfer run. Fix: add it",
      local.cfg.kafka.replication_factor <= local.cfg.kafka_cluster.brokers_count * length(local.cfg.kafka_cluster.zones) ? "" : "kafka.replication_factor: ${local.cfg.kafka.replication_factor} exceeds the ${local.cfg.kafka_cluster.brokers_count * length(local.cfg.kafka_cluster.zones)} broker(s) of kafka_cluster (brokers_count per zone x zones). Fix: lower it or add brokers",
      local.cfg.kafka.security_protocol == "SASL_SSL" ? "" : "kafka.security_protocol: Managed Kafka takes SASL_SSL (port 9091), not ${local.cfg.kafka.security_protocol}. Fix: set SASL_SSL for this environment",
      contains(["SCRAM-SHA-512", "SCRAM-SHA-256"], local.cfg.kafka.sasl_mechanism) ? "" : "kafka.sasl_mechanism: Managed Kafka offers SCRAM-SHA-512 and SCRAM-SHA-256. Fix: use one of them",
      can(regex(local.keys.patterns["kafka.topic"], local.cfg.kafka.topic)) && can(regex(local.keys.patterns["kafka.dead_letter_topic"], local.cfg.kafka.dead_letter_topic)) ? "" : "kafka.topic, kafka.dead_letter_topic: use [a-z0-9_] only, at most 100 characters (Data Transfer names ClickHouse tables after topics). Fix: rename",
      local.cfg.kafka.topic != local.cfg.kafka.dead_letter_topic ? "" : "kafka.dead_letter_topic: same as kafka.topic. Fix: give dead letters their own topic",
      can(regex(local.keys.patterns["kafka.gap_topic"], local.cfg.kafka.gap_topic)) && !contains([local.cfg.kafka.topic, local.cfg.kafka.dead_letter_topic], local.cfg.kafka.gap_topic) ? "" : "kafka.gap_topic: use [a-z0-9_] only, at most 100 characters, and not the trades or dead-letter topic. Fix: rename",
      contains(["PRODUCTION", "PRESTABLE"], local.cfg.kafka_cluster.environment) && contains(["PRODUCTION", "PRESTABLE"], local.cfg.clickhouse.environment) ? "" : "kafka_cluster.environment, clickhouse.environment: use PRODUCTION or PRESTABLE",
      !local.cfg.clickhouse.public_access || length(local.cfg.clickhouse.admin_cidrs) > 0 ? "" : "clickhouse.public_access: true, but clickhouse.admin_cidrs is empty, so nobody could reach the public address. Fix: list the admin networks, or set public_access to false",
      !contains(local.cfg.clickhouse.admin_cidrs, "0.0.0.0/0") ? "" : "clickhouse.admin_cidrs: 0.0.0.0/0 opens ClickHouse to the internet. Fix: list the admin networks",
    ]),
    local.runtime_problems,
  ) : []

  # The runtime: exactly one per environment, never both. Two runtimes would open two Finnhub connections
  # with the same key, and Finnhub drops both. runtime_count is the count of each runtime's resources in
  # the root module (ci/terraform checks that every runtime resource is gated by it).
  runtimes = ["instance_group", "serverless_container"]
  runtime_count = {
    for runtime in local.runtimes : runtime => local.checkable && try(local.cfg.runtime.kind, null) == runtime ? 1 : 0
  }
  # The serverless runtime runs the service once per timer tick, each run ending RUN_SECONDS after its start,
  # stop_before_timeout_s before the platform's execution timeout kills it. A run must be over before the
  # next tick, or two runs (two connections with one key) overlap: interval > execution timeout.
  serverless_interval_s = local.checkable ? local.cfg.runtime.serverless_interval_minutes * 60 : 0
  serverless_timeout_s  = local.checkable ? local.cfg.runtime.serverless_execution_timeout_s : 0
  serverless_run_s      = local.checkable ? local.serverless_timeout_s - local.cfg.runtime.serverless_stop_before_timeout_s : 0
  # A cron that fires every interval_minutes, evenly through the day (so the interval really is that).
  serverless_cron = !local.checkable ? "" : (
    local.cfg.runtime.serverless_interval_minutes == 60 ? "0 * ? * * *" :
    local.cfg.runtime.serverless_interval_minutes < 60 ? "*/${local.cfg.runtime.serverless_interval_minutes} * ? * * *" :
    "0 */${floor(local.cfg.runtime.serverless_interval_minutes / 60)} ? * * *"
  )
  runtime_problems = !local.checkable ? [] : compact([
    contains(local.runtimes, local.cfg.runtime.kind) ? "" : "runtime.kind: \"${local.cfg.runtime.kind}\" is not a runtime. Fix: use one of ${join(", ", local.runtimes)} (one per environment: two would hold two connections with one Finnhub key)",
    can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", local.cfg.registry.image_tag)) && local.cfg.registry.image_tag != "latest" ? "" : "registry.image_tag: \"${local.cfg.registry.image_tag}\" is not a fixed image tag. Fix: a version such as 0.2.0 or a git revision (never latest: a re-pushed tag is not redeployed)",
    local.serverless_interval_s > local.serverless_timeout_s ? "" : "runtime.serverless_interval_minutes: ${local.cfg.runtime.serverless_interval_minutes} min does not exceed runtime.serverless_execution_timeout_s (${local.serverless_timeout_s} s), so two runs could overlap with one Finnhub key. Fix: raise the interval or lower the timeout",
    local.serverless_timeout_s >= 120 && local.serverless_timeout_s <= 3600 ? "" : "runtime.serverless_execution_timeout_s: ${local.serverless_timeout_s} is outside 120..3600 (the platform's limit is one hour). Fix: pick a value in that range",
    local.serverless_run_s >= 60 && local.cfg.runtime.serverless_stop_before_timeout_s >= 10 ? "" : "runtime.serverless_stop_before_timeout_s: ${local.cfg.runtime.serverless_stop_before_timeout_s} leaves a run of ${local.serverless_run_s} s. Fix: at least 10 s to stop cleanly, and a run of at least 60 s",
    (local.cfg.runtime.serverless_interval_minutes < 60 && 60 % local.cfg.runtime.serverless_interval_minutes == 0) || (local.cfg.runtime.serverless_interval_minutes % 60 == 0 && 1440 % local.cfg.runtime.serverless_interval_minutes == 0) ? "" : "runtime.serverless_interval_minutes: ${local.cfg.runtime.serverless_interval_minutes} does not divide an hour or a day evenly, so the timer could not fire at that interval. Fix: e.g. 15, 30, 60, 120",
    local.cfg.runtime.serverless_memory_mb % 128 == 0 && local.cfg.runtime.serverless_memory_mb >= 512 && local.cfg.runtime.serverless_memory_mb <= 8192 ? "" : "runtime.serverless_memory_mb: ${local.cfg.runtime.serverless_memory_mb} must be a multiple of 128 from 512 (the JVM) to 8192",
    local.cfg.runtime.kind != "serverless_container" || length(setsubtract(["ru-central1-a", "ru-central1-b", "ru-central1-d"], keys(local.cfg.network.subnets))) == 0 ? "" : "network.subnets: Serverless Containers in a network need a subnet in every zone (ru-central1-a, -b, -d). Fix: add the missing ones, or use runtime.kind instance_group",
    local.cfg.runtime.vm_disk_gb >= 30 ? "" : "runtime.vm_disk_gb: ${local.cfg.runtime.vm_disk_gb} is below the Container Optimized Image's 30 GB. Fix: 30 or more",
    contains([20, 50, 100], local.cfg.runtime.vm_core_fraction) && contains([5, 20, 50, 100], local.cfg.runtime.serverless_core_fraction) ? "" : "runtime.vm_core_fraction, runtime.serverless_core_fraction: use 20, 50 or 100 (serverless also 5)",
    local.cfg.runtime.log_retention_hours >= 1 && local.cfg.runtime.log_retention_hours <= 744 ? "" : "runtime.log_retention_hours: ${local.cfg.runtime.log_retention_hours} is outside 1..744 (31 days). Fix: pick a value in that range",
    !contains(local.cfg.runtime.metrics_cidrs, "0.0.0.0/0") ? "" : "runtime.metrics_cidrs: 0.0.0.0/0 opens the status endpoint to the internet. Fix: list the Prometheus networks",
    !local.cfg.ha.enabled || local.cfg.runtime.kind != "serverless_container" ? "" : "ha.enabled: true, but runtime.kind is serverless_container, whose runs are timed one-shot containers that cannot hold keys as members of a consumer group. Fix: use runtime.kind instance_group for several instances, or set ha.enabled to false",
    local.cfg.ha.instances >= 1 && local.cfg.ha.instances <= 10 && floor(local.cfg.ha.instances) == local.cfg.ha.instances ? "" : "ha.instances: ${local.cfg.ha.instances} is not a whole number in 1..10. Fix: the number of VMs to run with ha.enabled, e.g. 2",
  ])

  # Several instances (ha.enabled, docs/ha.md): the instance group runs ha.instances VMs, spread over every zone
  # with a subnet, and their Kafka consumer group on the coordination topic hands each Finnhub key to exactly one
  # of them, so an update may start a new VM before it stops an old one (the keys move over, no gap). Without HA
  # nothing but the group size keeps one connection per key: one VM in yc.zone, never a second one beside it.
  ha_enabled = local.checkable ? local.cfg.ha.enabled : false
  ha_instance_group = {
    size          = local.ha_enabled ? local.cfg.ha.instances : 1
    max_expansion = local.ha_enabled ? 1 : 0
    zones         = !local.checkable ? [] : local.ha_enabled ? sort(keys(local.cfg.network.subnets)) : [local.cfg.yc.zone]
  }

  # Data Transfer's JSON parser schema, generated from the one record definition (record.fields). Column
  # types are Data Transfer's (upper case); every field is required because the service always writes
  # every field (conditions is [] when Finnhub omits it). key marks the deduplication key downstream.
  transfer_column_types = {
    "string"        = "UTF8"
    "int64"         = "INT64"
    "int32"         = "INT32"
    "float64"       = "DOUBLE"
    "array<string>" = "ANY"
  }
  transfer_fields = [
    for field in local.cfg.record.fields : {
      name     = field.name
      type     = lookup(local.transfer_column_types, field.type, "UNMAPPED")
      key      = field.key
      required = true
    }
  ]
  unmapped_types = distinct([for field in local.cfg.record.fields : field.type if !contains(keys(local.transfer_column_types), field.type)])

  # -backend-config flags: a backend block cannot read this file, so terraform/scripts/backend-config.sh
  # passes these to terraform init.
  backend_config = local.deployable ? [
    "-backend-config=bucket=${local.cfg.backend.bucket}",
    "-backend-config=key=${local.cfg.backend.key}",
    "-backend-config=region=${local.cfg.backend.region}",
  ] : []
}
