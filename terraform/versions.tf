terraform {
  required_version = ">= 1.6.3"

  required_providers {
    yandex = {
      source = "yandex-cloud/yandex"
      # The range ci/terraform checks these files against (the reference schema is 0.222.0): widen it only
      # together with a regenerated schema.
      version = "~> 0.222.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State on Object Storage. Partial on purpose: a backend block cannot read conf/app.json, so bucket, key
  # and region come from `terraform init $(scripts/backend-config.sh <env>)`; credentials from
  # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (a static access key of the state bucket's account).
  backend "s3" {
    endpoints = {
      s3 = "https://storage.yandexcloud.net"
    }
    skip_region_validation      = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_s3_checksum            = true
  }
}
