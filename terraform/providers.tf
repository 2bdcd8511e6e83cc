# Credentials are not configured here: export YC_TOKEN (e.g. $(yc iam create-token)) or
# YC_SERVICE_ACCOUNT_KEY_FILE before plan/apply.
provider "yandex" {
  cloud_id  = local.cfg.yc.cloud_id
  folder_id = local.cfg.yc.folder_id
  zone      = local.cfg.yc.zone
}
