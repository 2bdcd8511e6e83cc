# Managed Kafka: the cluster, the trades topic, the dead-letter topic and the gap topic, and two users (the
# service produces to the three topics; Data Transfer reads the trades and the gap topics). Topics are Terraform's in the cloud
# (kafka.create_topics is false there). With ha.enabled also the coordination topic, on which the service's
# instances form one consumer group (the service's user consumes it).

locals {
  # kafka.sasl_mechanism in the provider's two spellings.
  kafka_sasl = {
    "SCRAM-SHA-512" = { cluster = "SASL_MECHANISM_SCRAM_SHA_512", transfer = "KAFKA_MECHANISM_SHA512" }
    "SCRAM-SHA-256" = { cluster = "SASL_MECHANISM_SCRAM_SHA_256", transfer = "KAFKA_MECHANISM_SHA256" }
  }[local.cfg.kafka.sasl_mechanism]

  kafka_topics = {
    trades      = local.cfg.kafka.topic
    dead_letter = local.cfg.kafka.dead_letter_topic
    gaps        = local.cfg.kafka.gap_topic
  }

  # acks=all waits for this many replicas: one may be down without stopping writes.
  kafka_min_insync_replicas = min(2, max(1, local.cfg.kafka.replication_factor - 1))

  kafka_bootstrap_servers = join(",", sort([
    for host in yandex_mdb_kafka_cluster.this.host : "${host.name}:9091" if host.role == "KAFKA"
  ]))
}

resource "yandex_mdb_kafka_cluster" "this" {
  name                = "${local.name}-kafka"
  description         = "finnhub-stream trades"
  folder_id           = local.folder_id
  environment         = local.cfg.kafka_cluster.environment
  network_id          = yandex_vpc_network.this.id
  subnet_ids          = [for zone in local.cfg.kafka_cluster.zones : yandex_vpc_subnet.this[zone].id]
  security_group_ids  = [yandex_vpc_security_group.cluster["kafka"].id]
  deletion_protection = local.cfg.yc.deletion_protection
  labels              = local.labels

  config {
    version          = local.cfg.kafka_cluster.version
    zones            = local.cfg.kafka_cluster.zones
    brokers_count    = local.cfg.kafka_cluster.brokers_count
    assign_public_ip = false

    access {
      data_transfer = true
    }

    kafka {
      resources {
        resource_preset_id = local.cfg.kafka_cluster.preset
        disk_type_id       = local.cfg.kafka_cluster.disk_type
        disk_size          = local.cfg.kafka_cluster.disk_gb
      }
      kafka_config {
        auto_create_topics_enable = false
        sasl_enabled_mechanisms   = [local.kafka_sasl.cluster]
      }
    }
  }

  maintenance_window {
    type = "ANYTIME"
  }
}

resource "yandex_mdb_kafka_topic" "this" {
  for_each = local.kafka_topics

  cluster_id         = yandex_mdb_kafka_cluster.this.id
  name               = each.value
  partitions         = each.key == "gaps" ? 1 : local.cfg.kafka.partitions # a few gaps an hour, kept in order
  replication_factor = local.cfg.kafka.replication_factor

  topic_config {
    cleanup_policy      = "CLEANUP_POLICY_DELETE"
    retention_ms        = local.cfg.kafka.retention_ms
    min_insync_replicas = local.kafka_min_insync_replicas
  }
}

# The coordination topic of several instances (ha.enabled, docs/ha.md): one partition per key slot; whoever
# is assigned partition k in the instances' consumer group holds key k. Never written to, so it stays empty and
# its retention does not matter (a short one, in case a record ever lands there); the group's membership and
# offset commits live in the cluster's own __consumer_offsets. Partitions only grow (Kafka cannot remove
# one): raising ha.slots adds partitions, so give it headroom rather than lowering it later.
resource "yandex_mdb_kafka_topic" "key_slots" {
  count = module.config.ha.enabled ? 1 : 0

  cluster_id         = yandex_mdb_kafka_cluster.this.id
  name               = local.cfg.ha.topic
  partitions         = local.cfg.ha.slots
  replication_factor = local.cfg.kafka.replication_factor

  topic_config {
    cleanup_policy      = "CLEANUP_POLICY_DELETE"
    retention_ms        = 3600000 # one hour
    min_insync_replicas = local.kafka_min_insync_replicas
  }
}

resource "random_password" "kafka" {
  for_each = toset(["producer", "transfer"])

  length  = 32
  special = false # goes into a JAAS line; letters and digits need no escaping
}

resource "yandex_mdb_kafka_user" "producer" {
  cluster_id = yandex_mdb_kafka_cluster.this.id
  name       = local.cfg.kafka.username
  password   = random_password.kafka["producer"].result

  dynamic "permission" {
    for_each = yandex_mdb_kafka_topic.this
    content {
      topic_name = permission.value.name
      role       = "ACCESS_ROLE_PRODUCER"
    }
  }

  # ha.enabled: the instances' consumer group on the coordination topic. The consumer role covers the group too
  # (Managed Kafka's user roles: topic described and read, consumer group read, which joining, heartbeats and
  # offset commits need), so the group's name (ha.group_id) needs no permission of its own.
  dynamic "permission" {
    for_each = yandex_mdb_kafka_topic.key_slots
    content {
      topic_name = permission.value.name
      role       = "ACCESS_ROLE_CONSUMER"
    }
  }
}

resource "yandex_mdb_kafka_user" "transfer" {
  cluster_id = yandex_mdb_kafka_cluster.this.id
  name       = "transfer_reader"
  password   = random_password.kafka["transfer"].result

  permission {
    topic_name = yandex_mdb_kafka_topic.this["trades"].name
    role       = "ACCESS_ROLE_CONSUMER"
  }

  permission {
    topic_name = yandex_mdb_kafka_topic.this["gaps"].name
    role       = "ACCESS_ROLE_CONSUMER"
  }
}
