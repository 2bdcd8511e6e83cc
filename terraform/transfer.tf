# Data Transfer Kafka -> ClickHouse, one transfer per stream: the trades, and the feed gaps (docs/gaps.md). The
# trades' JSON parser schema is generated from record.fields in conf/app.json (module.config.transfer_fields), the
# same list the service checks its records against at start-up, so the parser cannot drift from what the service
# writes. The gaps' is the gap record's fields (sink/GapJson), the columns of feed_gaps in modern.sql
# (ci/terraform checks the two agree). A parser has one schema, hence a source endpoint per stream.

locals {
  gap_transfer_fields = [
    { name = "gap_id", type = "UTF8", key = true, required = true },
    { name = "connection", type = "UTF8", key = false, required = true },
    { name = "symbols", type = "ANY", key = false, required = true },
    { name = "from_ms", type = "INT64", key = false, required = true },
    { name = "to_ms", type = "INT64", key = false, required = true },
    { name = "duration_ms", type = "INT64", key = false, required = true },
    { name = "reason", type = "UTF8", key = false, required = true },
    { name = "market_open", type = "UTF8", key = false, required = true },
    { name = "schema_version", type = "INT32", key = false, required = true },
  ]

  # Per stream: the topic (a key of yandex_mdb_kafka_topic.this), the parser fields, the ClickHouse table, and the
  # resource names (the trades' are those of the single transfer that came first).
  transfer_streams = {
    trades = {
      fields   = tolist(module.config.transfer_fields)
      table    = local.cfg.clickhouse.table
      source   = "kafka-source"
      target   = "clickhouse-target"
      transfer = "kafka-to-clickhouse"
      what     = "trades"
    }
    gaps = {
      fields   = tolist(local.gap_transfer_fields)
      table    = "feed_gaps"
      source   = "kafka-gap-source"
      target   = "clickhouse-gap-target"
      transfer = "gaps-to-clickhouse"
      what     = "feed gaps"
    }
  }
}

resource "yandex_datatransfer_endpoint" "kafka_source" {
  for_each = local.transfer_streams

  name        = "${local.name}-${each.value.source}"
  description = "${yandex_mdb_kafka_topic.this[each.key].name} on ${yandex_mdb_kafka_cluster.this.name}"
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
      topic_names     = [yandex_mdb_kafka_topic.this[each.key].name]
      security_groups = [yandex_vpc_security_group.transfer.id]

      parser {
        json_parser {
          add_rest_column   = false # the service writes exactly these fields; nothing else to keep
          null_keys_allowed = false
          data_schema {
            fields {
              dynamic "fields" {
                for_each = each.value.fields
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
  for_each = local.transfer_streams

  name        = "${local.name}-${each.value.target}"
  description = "${local.cfg.clickhouse.database}.${each.value.table} on ${yandex_mdb_clickhouse_cluster_v2.this.name}"
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

      # Data Transfer names the table after the topic; write into the stream's table instead.
      alt_names {
        from_name = yandex_mdb_kafka_topic.this[each.key].name
        to_name   = each.value.table
      }
    }
  }
}

resource "yandex_datatransfer_transfer" "kafka_to_clickhouse" {
  for_each = local.transfer_streams

  name        = "${local.name}-${each.value.transfer}"
  description = "${each.value.what} from Kafka into ClickHouse, continuously"
  folder_id   = local.folder_id
  labels      = local.labels
  source_id   = yandex_datatransfer_endpoint.kafka_source[each.key].id
  target_id   = yandex_datatransfer_endpoint.clickhouse_target[each.key].id
  type        = "INCREMENT_ONLY" # a queue has no snapshot: replicate new records
  # sync: apply waits for activation. The provider only logs an activation failure, so check the
  # status after apply (docs/deployment.md).
  on_create_activate_mode = "sync_activate"
}

# The trades' resources from before there were two streams keep their state.
moved {
  from = yandex_datatransfer_endpoint.kafka_source
  to   = yandex_datatransfer_endpoint.kafka_source["trades"]
}

moved {
  from = yandex_datatransfer_endpoint.clickhouse_target
  to   = yandex_datatransfer_endpoint.clickhouse_target["trades"]
}

moved {
  from = yandex_datatransfer_transfer.kafka_to_clickhouse
  to   = yandex_datatransfer_transfer.kafka_to_clickhouse["trades"]
}
