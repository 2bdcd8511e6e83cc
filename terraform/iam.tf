# Service accounts, each with only the roles its job needs, bound on the one resource it uses rather
# than on the folder.

# The service runs as this account (runtime.tf), on either runtime: pulls the image, reads its two
# secrets, writes its logs.
resource "yandex_iam_service_account" "runtime" {
  name        = "${local.name}-runtime"
  description = "finnhub-stream service: pulls its image, reads FINNHUB_TOKEN and KAFKA_PASSWORD from Lockbox, writes logs"
  folder_id   = local.folder_id
  labels      = local.labels
}

# CI pushes release images with a key of this account.
resource "yandex_iam_service_account" "image_pusher" {
  name        = "${local.name}-image-pusher"
  description = "CI: pushes finnhub-stream images to the registry"
  folder_id   = local.folder_id
  labels      = local.labels
}

resource "yandex_container_registry_iam_binding" "puller" {
  registry_id = yandex_container_registry.this.id
  role        = "container-registry.images.puller"
  members     = ["serviceAccount:${yandex_iam_service_account.runtime.id}"]
}

resource "yandex_container_registry_iam_binding" "pusher" {
  registry_id = yandex_container_registry.this.id
  role        = "container-registry.images.pusher"
  members     = ["serviceAccount:${yandex_iam_service_account.image_pusher.id}"]
}

resource "yandex_lockbox_secret_iam_member" "runtime" {
  for_each = yandex_lockbox_secret.this

  secret_id = each.value.id
  role      = "lockbox.payloadViewer"
  member    = "serviceAccount:${yandex_iam_service_account.runtime.id}"
}
