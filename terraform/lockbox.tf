# The service's two secrets, one per credential so that each rotates on its own. Values written here also
# live in the Terraform state: the state bucket must be as private as the secrets.

locals {
  lockbox_secrets = {
    finnhub = {
      description = "Finnhub API key of finnhub-stream (FINNHUB_TOKEN), from var.finnhub_token at apply time"
      key         = "FINNHUB_TOKEN"
    }
    kafka-producer = {
      description = "SASL password of the Kafka user ${local.cfg.kafka.username} (KAFKA_PASSWORD), generated"
      key         = "KAFKA_PASSWORD"
    }
  }
  # Outside the for_each map on purpose: a sensitive value may not drive for_each.
  lockbox_values = {
    finnhub        = var.finnhub_token
    kafka-producer = random_password.kafka["producer"].result
  }
}

resource "yandex_lockbox_secret" "this" {
  for_each = local.lockbox_secrets

  name                = "${local.name}-${each.key}"
  description         = each.value.description
  folder_id           = local.folder_id
  deletion_protection = local.cfg.yc.deletion_protection
  labels              = local.labels
}

# A new value (a rotated token, a replaced password) makes a new version.
resource "yandex_lockbox_secret_version" "this" {
  for_each = local.lockbox_secrets

  secret_id   = yandex_lockbox_secret.this[each.key].id
  description = "set by terraform apply"

  entries {
    key        = each.value.key
    text_value = local.lockbox_values[each.key]
  }
}
