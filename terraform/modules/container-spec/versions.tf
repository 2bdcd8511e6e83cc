# Provider-free on purpose: ci/terraform renders this module offline and checks what the VM would run.
terraform {
  required_version = ">= 1.6.3"
}
