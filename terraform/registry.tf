resource "yandex_container_registry" "this" {
  name      = local.name
  folder_id = local.folder_id
  labels    = local.labels
}

# Images are cr.yandex/<registry id>/<registry.repository>:<tag>; Terraform neither builds nor pushes them.
resource "yandex_container_repository" "service" {
  name = "${yandex_container_registry.this.id}/${local.cfg.registry.repository}"
}
