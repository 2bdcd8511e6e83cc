# Network, subnets and security groups. Cluster hosts have no public address unless
# clickhouse.public_access is set; every rule names who may talk to whom.

resource "yandex_vpc_network" "this" {
  name        = local.name
  description = "finnhub-stream ${var.environment}"
  folder_id   = local.folder_id
  labels      = local.labels
}

resource "yandex_vpc_subnet" "this" {
  for_each = local.cfg.network.subnets

  name           = "${local.name}-${each.key}"
  folder_id      = local.folder_id
  network_id     = yandex_vpc_network.this.id
  zone           = each.key
  v4_cidr_blocks = [each.value]
  labels         = local.labels
}

# The instance group's VM (runtime.tf) attaches this group: health checks and metrics scrapes in, anything
# out (Finnhub's WebSocket, Container Registry, Lockbox, Cloud Logging, Kafka).
resource "yandex_vpc_security_group" "runtime" {
  name        = "${local.name}-runtime"
  description = "finnhub-stream service: health checks and metrics scrapes in, Finnhub/registry/Lockbox/logging/Kafka out"
  folder_id   = local.folder_id
  network_id  = yandex_vpc_network.this.id
  labels      = local.labels

  ingress {
    description    = "health checks on the status endpoint (http.port)"
    protocol       = "TCP"
    port           = local.cfg.http.port
    v4_cidr_blocks = local.cfg.runtime.health_check_cidrs
  }
  ingress {
    description    = "Prometheus scrapes of the status port (http.port): the network's subnets and runtime.metrics_cidrs"
    protocol       = "TCP"
    port           = local.cfg.http.port
    v4_cidr_blocks = distinct(concat(values(local.cfg.network.subnets), local.cfg.runtime.metrics_cidrs))
  }
  egress {
    description    = "Finnhub WebSocket, Container Registry, Lockbox, Kafka"
    protocol       = "ANY"
    v4_cidr_blocks = ["0.0.0.0/0"]
    from_port      = 0
    to_port        = 65535
  }
}

# Data Transfer workers run in our subnets with this group (both endpoints list it).
resource "yandex_vpc_security_group" "transfer" {
  name        = "${local.name}-transfer"
  description = "Data Transfer workers: Kafka and ClickHouse out"
  folder_id   = local.folder_id
  network_id  = yandex_vpc_network.this.id
  labels      = local.labels

  ingress {
    description       = "between the transfer's own workers"
    protocol          = "ANY"
    predefined_target = "self_security_group"
    from_port         = 0
    to_port           = 65535
  }
  egress {
    description    = "Kafka SASL_SSL"
    protocol       = "TCP"
    port           = 9091
    v4_cidr_blocks = values(local.cfg.network.subnets)
  }
  egress {
    description    = "ClickHouse HTTPS"
    protocol       = "TCP"
    port           = 8443
    v4_cidr_blocks = values(local.cfg.network.subnets)
  }
  egress {
    description    = "ClickHouse native TLS"
    protocol       = "TCP"
    port           = 9440
    v4_cidr_blocks = values(local.cfg.network.subnets)
  }
  egress {
    description       = "between the transfer's own workers"
    protocol          = "ANY"
    predefined_target = "self_security_group"
    from_port         = 0
    to_port           = 65535
  }
}

# The managed clusters: who may reach each one; the hosts of a cluster also talk among themselves.
locals {
  cluster_ingress = {
    kafka = concat([
      { description = "the service (producer), SASL_SSL", port = 9091, security_group_id = yandex_vpc_security_group.runtime.id, v4_cidr_blocks = null },
      { description = "Data Transfer (consumer), SASL_SSL", port = 9091, security_group_id = yandex_vpc_security_group.transfer.id, v4_cidr_blocks = null },
      ], length(local.cfg.runtime.source_cidrs) == 0 ? [] : [
      { description = "the service from runtime.source_cidrs, SASL_SSL", port = 9091, security_group_id = null, v4_cidr_blocks = local.cfg.runtime.source_cidrs },
      ], module.config.runtime_count.serverless_container == 0 ? [] : [
      { description = "the serverless runtime (Serverless Containers' source range in a network), SASL_SSL", port = 9091, security_group_id = null, v4_cidr_blocks = ["198.19.0.0/16"] },
    ])
    clickhouse = concat([
      { description = "Data Transfer, HTTPS", port = 8443, security_group_id = yandex_vpc_security_group.transfer.id, v4_cidr_blocks = null },
      { description = "Data Transfer, native TLS", port = 9440, security_group_id = yandex_vpc_security_group.transfer.id, v4_cidr_blocks = null },
      ], length(local.cfg.clickhouse.admin_cidrs) == 0 ? [] : [
      { description = "admin networks (schema scripts, queries), HTTPS", port = 8443, security_group_id = null, v4_cidr_blocks = local.cfg.clickhouse.admin_cidrs },
      { description = "admin networks (clickhouse-client), native TLS", port = 9440, security_group_id = null, v4_cidr_blocks = local.cfg.clickhouse.admin_cidrs },
    ])
  }
}

resource "yandex_vpc_security_group" "cluster" {
  for_each = local.cluster_ingress

  name        = "${local.name}-${each.key}"
  description = "Managed ${each.key == "kafka" ? "Kafka" : "ClickHouse"} of finnhub-stream ${var.environment}"
  folder_id   = local.folder_id
  network_id  = yandex_vpc_network.this.id
  labels      = local.labels

  dynamic "ingress" {
    for_each = each.value
    content {
      description       = ingress.value.description
      protocol          = "TCP"
      port              = ingress.value.port
      security_group_id = ingress.value.security_group_id
      v4_cidr_blocks    = ingress.value.v4_cidr_blocks
    }
  }
  ingress {
    description       = "between the cluster's hosts"
    protocol          = "ANY"
    predefined_target = "self_security_group"
    from_port         = 0
    to_port           = 65535
  }
  egress {
    description       = "between the cluster's hosts"
    protocol          = "ANY"
    predefined_target = "self_security_group"
    from_port         = 0
    to_port           = 65535
  }
}
