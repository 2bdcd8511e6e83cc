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

# The container runtime (a later issue) attaches this group: health checks in, anything out (Finnhub's
# WebSocket, Container Registry, Lockbox, Kafka).
resource "yandex_vpc_security_group" "runtime" {
  name        = "${local.name}-runtime"
  description = "finnhub-stream service: health checks in, Finnhub/registry/Lockbox/Kafka out"
  folder_id   = local.folder_id
  network_id  = yandex_vpc_network.this.id
  labels      = local.labels

  ingress {
    description    = "health checks on the status endpoint (http.port)"
    protocol       = "TCP"
    port           = local.cfg.http.port
    v4_cidr_blocks = local.cfg.runtime.health_check_cidrs
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

resource "yandex_vpc_security_group" "kafka" {
  name        = "${local.name}-kafka"
  description = "Managed Kafka: producers (the service) and Data Transfer on SASL_SSL 9091"
  folder_id   = local.folder_id
  network_id  = yandex_vpc_network.this.id
  labels      = local.labels

  ingress {
    description       = "the service (producer)"
    protocol          = "TCP"
    port              = 9091
    security_group_id = yandex_vpc_security_group.runtime.id
  }
  ingress {
    description       = "Data Transfer (consumer)"
    protocol          = "TCP"
    port              = 9091
    security_group_id = yandex_vpc_security_group.transfer.id
  }
  dynamic "ingress" {
    for_each = length(local.cfg.runtime.source_cidrs) > 0 ? [local.cfg.runtime.source_cidrs] : []
    content {
      description    = "the service from runtime.source_cidrs"
      protocol       = "TCP"
      port           = 9091
      v4_cidr_blocks = ingress.value
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

resource "yandex_vpc_security_group" "clickhouse" {
  name        = "${local.name}-clickhouse"
  description = "Managed ClickHouse: Data Transfer in; admin networks on HTTPS"
  folder_id   = local.folder_id
  network_id  = yandex_vpc_network.this.id
  labels      = local.labels

  ingress {
    description       = "Data Transfer (HTTPS)"
    protocol          = "TCP"
    port              = 8443
    security_group_id = yandex_vpc_security_group.transfer.id
  }
  ingress {
    description       = "Data Transfer (native TLS)"
    protocol          = "TCP"
    port              = 9440
    security_group_id = yandex_vpc_security_group.transfer.id
  }
  dynamic "ingress" {
    for_each = length(local.cfg.clickhouse.admin_cidrs) > 0 ? [local.cfg.clickhouse.admin_cidrs] : []
    content {
      description    = "admin networks (scripts/clickhouse-schema.sh, queries) on HTTPS"
      protocol       = "TCP"
      port           = 8443
      v4_cidr_blocks = ingress.value
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
