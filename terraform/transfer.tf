# Data Transfer Kafka -> ClickHouse. The JSON parser's schema is generated from record.fields in
# conf/app.json (module.config.transfer_fields), the same list the service checks its records against
# at start-up, so the parser cannot drift from what the service writes.

resource "yandex_datatransfer_endpoint" "kafka_source" {
  name        = "${local.name}-kafka-source"
  description = "${local.cfg.kafka.topic} on ${yandex_mdb_kafka_cluster.this.name}"
  folder_id   = local.folder_id
  labels      = local.labels

  settings {
    kafka_source {
      connection {
        cluster_id = yandex_mdb_kafka_cluster.this.id
      }
      auth {
        sasl {
          user      = yandex_mdb_kafka_user.transfer.name
          mechanism = local.kafka_sasl.transfer
          password {
            raw = random_password.kafka["transfer"].result
          }
        }
      }
      topic_names     = [yandex_mdb_kafka_topic.this["trades"].name]
      security_groups = [yandex_vpc_security_group.transfer.id]

      parser {
        json_parser {
          add_rest_column   = false # the service writes exactly record.fields; nothing else to keep
          null_keys_allowed = false
          data_schema {
            fields {
              dynamic "fields" {
                for_each = module.config.transfer_fields
                iterator = field
                content {
                  name     = field.value.name
                  type     = field.value.type
                  key      = field.value.key
                  required = field.value.required
                }
              }
            }
          }
        }
      }
    }
  }
}

resource "yandex_datatransfer_endpoint" "clickhouse_target" {
  name        = "${local.name}-clickhouse-target"
  description = "${local.cfg.clickhouse.database}.${local.cfg.clickhouse.table} on ${yandex_mdb_clickhouse_cluster_v2.this.name}"
  folder_id   = local.folder_id
  labels      = local.labels

  settings {
    clickhouse_target {
      connection {
        connection_options {
          mdb_cluster_id = yandex_mdb_clickhouse_cluster_v2.this.id
          database       = yandex_mdb_clickhouse_database.this.name
          user           = yandex_mdb_clickhouse_user.this["writer"].name
          password {
            raw = random_password.clickhouse["writer"].result
          }
        }
      }
      # The table is ours (created by scripts/clickhouse-schema.sh): never drop or truncate it, never
      # let the transfer alter it.
      cleanup_policy               = "CLICKHOUSE_CLEANUP_POLICY_DISABLED"
      is_schema_migration_disabled = true
      security_groups              = [yandex_vpc_security_group.transfer.id]

      # Data Transfer names the table after the topic; write into clickhouse.table instead.
      alt_names {
        from_name = yandex_mdb_kafka_topic.this["trades"].name
        to_name   = local.cfg.clickhouse.table
      }
    }
  }
}

resource "yandex_datatransfer_transfer" "kafka_to_clickhouse" {
  name        = "${local.name}-kafka-to-clickhouse"
  description = "trades from Kafka into ClickHouse, continuously"
  folder_id   = local.folder_id
  labels      = local.labels
  source_id   = yandex_datatransfer_endpoint.kafka_source.id
  target_id   = yandex_datatransfer_endpoint.clickhouse_target.id
  type        = "INCREMENT_ONLY" # a queue has no snapshot: replicate new records
  # sync: apply waits for activation. The provider only logs an activation failure, so check the
  # status after apply (docs/deployment.md).
  on_create_activate_mode = "sync_activate"
}

# Feed gaps (docs/gaps.md): a second transfer, the gap topic into feed_gaps, created by the schema like the
# trades table. Its own source endpoint, because a JSON parser has one schema: the fields of the gap record
# (sink/GapJson), the columns of feed_gaps in modern.sql (ci/terraform checks the two agree).
locals {
  gap_transfer_fields = [
    { name = "gap_id", type = "UTF8", key = true },
    { name = "connection", type = "UTF8", key = false },
    { name = "symbols", type = "ANY", key = false },
    { name = "from_ms", type = "INT64", key = false },
    { name = "to_ms", type = "INT64", key = false },
    { name = "duration_ms", type = "INT64", key = false },
    { name = "reason", type = "UTF8", key = false },
    { name = "market_open", type = "UTF8", key = false },
    { name = "schema_version", type = "INT32", key = false },
  ]
}

resource "yandex_datatransfer_endpoint" "kafka_gap_source" {
  name        = "${local.name}-kafka-gap-source"
  description = "${local.cfg.kafka.gap_topic} on ${yandex_mdb_kafka_cluster.this.name}"
  folder_id   = local.folder_id
  labels      = local.labels

  settings {
    kafka_source {
      connection {
        cluster_id = yandex_mdb_kafka_cluster.this.id
      }
      auth {
        sasl {
          user      = yandex_mdb_kafka_user.transfer.name
          mechanism = local.kafka_sasl.transfer
          password {
            raw = random_password.kafka["transfer"].result
          }
        }
      }
      topic_names     = [yandex_mdb_kafka_topic.this["gaps"].name]
      security_groups = [yandex_vpc_security_group.transfer.id]

      parser {
        json_parser {
          add_rest_column   = false
          null_keys_allowed = false
          data_schema {
            fields {
              dynamic "fields" {
                for_each = local.gap_transfer_fields
                iterator = field
                content {
                  name     = field.value.name
                  type     = field.value.type
                  key      = field.value.key
                  required = true
                }
              }
            }
          }
        }
      }
    }
  }
}

resource "yandex_datatransfer_endpoint" "clickhouse_gap_target" {
  name        = "${local.name}-clickhouse-gap-target"
  description = "${local.cfg.clickhouse.database}.feed_gaps on ${yandex_mdb_clickhouse_cluster_v2.this.name}"
  folder_id   = local.folder_id
  labels      = local.labels

  settings {
    clickhouse_target {
      connection {
        connection_options {
          mdb_cluster_id = yandex_mdb_clickhouse_cluster_v2.this.id
          database       = yandex_mdb_clickhouse_database.this.name
          user           = yandex_mdb_clickhouse_user.this["writer"].name
          password {
            raw = random_password.clickhouse["writer"].result
          }
        }
      }
      cleanup_policy               = "CLICKHOUSE_CLEANUP_POLICY_DISABLED"
      is_schema_migration_disabled = true
      security_groups              = [yandex_vpc_security_group.transfer.id]

      alt_names {
        from_name = yandex_mdb_kafka_topic.this["gaps"].name
        to_name   = "feed_gaps"
      }
    }
  }
}

resource "yandex_datatransfer_transfer" "gaps_to_clickhouse" {
  name                    = "${local.name}-gaps-to-clickhouse"
  description             = "feed gaps from Kafka into ClickHouse, continuously"
  folder_id               = local.folder_id
  labels                  = local.labels
  source_id               = yandex_datatransfer_endpoint.kafka_gap_source.id
  target_id               = yandex_datatransfer_endpoint.clickhouse_gap_target.id
  type                    = "INCREMENT_ONLY"
  on_create_activate_mode = "sync_activate"
}
