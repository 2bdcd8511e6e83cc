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

  # Every key Terraform reads, by section. The sections Terraform owns hold exactly these keys (anything
  # else is a typo or a dead key); from the service's sections it reads only these. ci/terraform checks
  # that the .tf files read exactly this list.
  terraform_sections = ["yc", "backend", "network", "kafka_cluster", "clickhouse", "registry", "runtime"]
  terraform_reads = {
    yc            = ["cloud_id", "deletion_protection", "folder_id", "project", "zone"]
    backend       = ["bucket", "key", "region"]
    network       = ["subnets"]
    kafka_cluster = ["brokers_count", "disk_gb", "disk_type", "environment", "preset", "version", "zones"]
    clickhouse    = ["admin_cidrs", "database", "disk_gb", "disk_type", "environment", "preset", "public_access", "table", "version"]
    registry      = ["image_tag", "repository"]
    runtime       = ["health_check_cidrs", "source_cidrs"]
    kafka         = ["dead_letter_topic", "partitions", "replication_factor", "retention_ms", "sasl_mechanism", "security_protocol", "topic", "username"]
    http          = ["port"]
    record        = ["fields"]
  }

  # Keys of Terraform's sections that the project's ClickHouse schema tool reads instead (dev.finnhubstream.clickhouse
  # .SchemaTool, run after apply): which schema generation, and the modern tables' TTLs.
  tool_reads = {
    clickhouse = ["ohlcv_ttl_days", "schema", "trades_ttl_days"]
  }

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
      alltrue([for t in [local.cfg.kafka.topic, local.cfg.kafka.dead_letter_topic] : can(regex("^[a-z0-9_]{1,100}$", t))]) ? "" : "kafka.topic, kafka.dead_letter_topic: use [a-z0-9_] only (Data Transfer names ClickHouse tables after topics). Fix: rename",
      local.cfg.kafka.topic != local.cfg.kafka.dead_letter_topic ? "" : "kafka.dead_letter_topic: same as kafka.topic. Fix: give dead letters their own topic",
      contains(["PRODUCTION", "PRESTABLE"], local.cfg.kafka_cluster.environment) && contains(["PRODUCTION", "PRESTABLE"], local.cfg.clickhouse.environment) ? "" : "kafka_cluster.environment, clickhouse.environment: use PRODUCTION or PRESTABLE",
      !local.cfg.clickhouse.public_access || length(local.cfg.clickhouse.admin_cidrs) > 0 ? "" : "clickhouse.public_access: true, but clickhouse.admin_cidrs is empty, so nobody could reach the public address. Fix: list the admin networks, or set public_access to false",
      !contains(local.cfg.clickhouse.admin_cidrs, "0.0.0.0/0") ? "" : "clickhouse.admin_cidrs: 0.0.0.0/0 opens ClickHouse to the internet. Fix: list the admin networks",
    ])
  ) : []

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
