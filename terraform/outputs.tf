# What the runtime, CI and the operator need. Secrets are sensitive.

output "environment" {
  description = "The environment this state deploys."
  value       = var.environment
}

output "network_id" {
  description = "VPC network of the environment."
  value       = yandex_vpc_network.this.id
}

output "subnet_ids" {
  description = "Subnet id by zone."
  value       = { for zone, subnet in yandex_vpc_subnet.this : zone => subnet.id }
}

output "security_group_ids" {
  description = "Security group id by role: runtime (attach to the service's VM or container), transfer, kafka, clickhouse."
  value = {
    runtime    = yandex_vpc_security_group.runtime.id
    transfer   = yandex_vpc_security_group.transfer.id
    kafka      = yandex_vpc_security_group.cluster["kafka"].id
    clickhouse = yandex_vpc_security_group.cluster["clickhouse"].id
  }
}

output "kafka_cluster_id" {
  description = "Managed Kafka cluster id."
  value       = yandex_mdb_kafka_cluster.this.id
}

output "kafka_bootstrap_servers" {
  description = "Broker FQDNs with the SASL_SSL port, for KAFKA_BOOTSTRAP_SERVERS."
  value       = local.kafka_bootstrap_servers
}

output "kafka_topics" {
  description = "Topic names: trades, dead_letter and gaps, and key_slots (the coordination topic) where ha.enabled."
  value       = merge({ for role, topic in yandex_mdb_kafka_topic.this : role => topic.name }, { for topic in yandex_mdb_kafka_topic.key_slots : "key_slots" => topic.name })
}

output "clickhouse_cluster_id" {
  description = "Managed ClickHouse cluster id."
  value       = yandex_mdb_clickhouse_cluster_v2.this.id
}

output "clickhouse_host" {
  description = "FQDN of the ClickHouse host (HTTPS on 8443, native TLS on 9440)."
  value       = yandex_mdb_clickhouse_cluster_v2.this.hosts["main"].fqdn
}

output "clickhouse_database" {
  description = "Database holding the trades table and the views."
  value       = yandex_mdb_clickhouse_database.this.name
}

output "clickhouse_schema_user" {
  description = "ClickHouse user that scripts/clickhouse-schema.sh applies the DDL with."
  value       = yandex_mdb_clickhouse_user.this["schema"].name
}

output "clickhouse_schema_password" {
  description = "Password of clickhouse_schema_user."
  value       = random_password.clickhouse["schema"].result
  sensitive   = true
}

output "datalens_clickhouse" {
  description = "What the DataLens tool's ClickHouse connection points at (ci/datalens.sh passes it as DATALENS_CLICKHOUSE); null where datalens.enabled is false."
  value = local.cfg.datalens.enabled ? {
    host       = yandex_mdb_clickhouse_cluster_v2.this.hosts["main"].fqdn
    port       = 8443
    database   = yandex_mdb_clickhouse_database.this.name
    username   = yandex_mdb_clickhouse_user.datalens_reader[0].name
    cluster_id = yandex_mdb_clickhouse_cluster_v2.this.id
    folder_id  = local.folder_id
  } : null
}

output "datalens_clickhouse_password" {
  description = "Password of the datalens_reader user (ci/datalens.sh passes it as DATALENS_CLICKHOUSE_PASSWORD)."
  value       = one(random_password.datalens_reader[*].result)
  sensitive   = true
}

output "transfer_id" {
  description = "The trades' Data Transfer id; check it is running with `yc datatransfer transfer get <id>`."
  value       = yandex_datatransfer_transfer.kafka_to_clickhouse["trades"].id
}

output "gap_transfer_id" {
  description = "The feed gaps' Data Transfer id (docs/gaps.md)."
  value       = yandex_datatransfer_transfer.kafka_to_clickhouse["gaps"].id
}

output "registry_id" {
  description = "Container Registry id."
  value       = yandex_container_registry.this.id
}

output "image" {
  description = "Image the runtime runs: cr.yandex/<registry>/<registry.repository>:<registry.image_tag>."
  value       = local.image
}

output "runtime_service_account_id" {
  description = "Service account the container runtime runs as (pulls the image, reads the Lockbox secrets)."
  value       = yandex_iam_service_account.runtime.id
}

output "image_pusher_service_account_id" {
  description = "Service account CI pushes images with (create its key with `yc iam key create`)."
  value       = yandex_iam_service_account.image_pusher.id
}

output "runtime_environment" {
  description = "Plain environment variables of the service in this environment."
  value       = local.service_environment
}

output "runtime_secrets" {
  description = "Secret environment variables of the service: the Lockbox secret, version and key each comes from."
  value = {
    for name, secret in local.lockbox_secrets : secret.key => {
      secret_id  = yandex_lockbox_secret.this[name].id
      version_id = yandex_lockbox_secret_version.this[name].id
      key        = secret.key
    }
  }
}

output "runtime" {
  description = "Where the service runs: runtime.kind, and what to look at (the instance group or the serverless container and its timer)."
  value = {
    kind                    = local.cfg.runtime.kind
    instance_group_id       = one(yandex_compute_instance_group.service[*].id)
    serverless_container_id = one(yandex_serverless_container.service[*].id)
    trigger_id              = one(yandex_function_trigger.service[*].id)
    schedule                = module.config.runtime_count.serverless_container == 1 ? "${module.config.serverless_run.cron} (UTC), runs of ${module.config.serverless_run.run_seconds} s" : "always on"
  }
}

output "log_group_id" {
  description = "Cloud Logging group of the service's output: yc logging read --group-id <id> --follow."
  value       = yandex_logging_group.service.id
}

output "metrics_targets" {
  description = "Prometheus scrape targets (host:port, private addresses in the network) of the instance group's VMs (one, or ha.instances with ha.enabled); empty for the serverless runtime, whose runs cannot be scraped."
  value = flatten([
    for group in yandex_compute_instance_group.service : [
      for instance in group.instances : [
        for nic in instance.network_interface : "${nic.ip_address}:${local.cfg.http.port}"
      ]
    ]
  ])
}
