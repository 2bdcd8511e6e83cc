# finnhub-stream on Yandex Cloud: every parameter comes from ../conf/app.json, resolved for
# var.environment by the provider-free module below exactly as the service resolves it.

module "config" {
  source      = "./modules/config"
  config_file = "${path.root}/../conf/app.json"
  environment = var.environment
}

locals {
  # Read keys as local.cfg.<section>.<key>, never whole sections: ci/terraform matches these references
  # against conf/app.json to find dead and missing keys.
  cfg       = module.config.sections
  folder_id = local.cfg.yc.folder_id
  name      = "${local.cfg.yc.project}-${var.environment}"
  labels = {
    project     = local.cfg.yc.project
    environment = var.environment
    managed_by  = "terraform"
  }
}

# One state per environment: remembers which environment this state belongs to and refuses to plan
# another one into it (e.g. `-var environment=prod` in a directory initialised with dev's backend).
resource "terraform_data" "environment" {
  input = var.environment

  lifecycle {
    ignore_changes = [input]

    precondition {
      condition     = module.config.deployable
      error_message = "Environment \"${var.environment}\" has no backend section in conf/app.json, so Terraform does not deploy it (local is for development only)."
    }
    postcondition {
      condition     = self.input == var.environment
      error_message = "This state belongs to environment \"${self.input}\", not \"${var.environment}\". Fix: terraform init -reconfigure $(scripts/backend-config.sh ${var.environment})."
    }
  }
}
