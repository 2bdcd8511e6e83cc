# Provider-free on purpose: the build machines evaluate this module offline (terraform init/apply on local
# state) to prove that Terraform reads conf/app.json exactly as the service does.
terraform {
  required_version = ">= 1.6.3"
}
