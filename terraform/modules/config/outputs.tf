output "environment" {
  description = "The environment resolved."
  value       = var.environment
}

output "deployable" {
  description = "Whether Terraform deploys this environment: it has a backend section (\"local\" has none)."
  value       = local.deployable
}

output "sections" {
  description = "Every section of conf/app.json merged for the environment (common, then the environment, one level deep, \"$\" comments dropped)."
  value       = local.cfg

  precondition {
    condition     = contains(keys(local.environments), var.environment)
    error_message = "Environment \"${var.environment}\" is not in conf/app.json. Fix: use one of ${join(", ", sort(keys(local.environments)))}, or add environments.${var.environment}."
  }
  precondition {
    condition     = length(local.unknown_keys) == 0
    error_message = "Unknown key(s) in conf/app.json: ${join(", ", local.unknown_keys)}. Fix: rename or remove them (the keys Terraform reads are terraform_reads in terraform/modules/config/main.tf)."
  }
  precondition {
    condition     = !local.deployable || length(local.missing_keys) == 0
    error_message = "Missing for environment \"${var.environment}\": ${join(", ", local.missing_keys)}. Fix: add them to common.<section> or environments.${var.environment}.<section> in conf/app.json."
  }
  precondition {
    condition     = length(local.problems) == 0
    error_message = "Invalid conf/app.json for environment \"${var.environment}\": ${join("; ", local.problems)}."
  }
  precondition {
    condition     = length(local.unmapped_types) == 0
    error_message = "record.fields uses type(s) ${join(", ", local.unmapped_types)} that have no Data Transfer column type. Fix: map them in transfer_column_types of terraform/modules/config/main.tf."
  }
}

output "runtime_count" {
  description = "Count of each runtime's resources (instance_group, serverless_container): 1 for the one runtime.kind names, 0 for the other; all 0 for an environment Terraform does not deploy."
  value       = local.runtime_count

  precondition {
    condition     = !local.checkable || sum(values(local.runtime_count)) == 1
    error_message = "runtime.kind must name exactly one runtime (${join(", ", local.runtimes)})."
  }
}

output "serverless_run" {
  description = "The serverless runtime's schedule: timer cron (UTC), execution timeout and the run length (RUN_SECONDS) in seconds."
  value = {
    cron              = local.serverless_cron
    execution_timeout = local.serverless_timeout_s
    run_seconds       = local.serverless_run_s
  }
}

output "ha" {
  description = "Several instances: enabled (ha.enabled where deployed; gates the coordination topic and its permission), and the instance group's size, deploy max_expansion and zones (ha.instances VMs, 1 and zones of every subnet with HA; 1 VM, 0 and yc.zone without)."
  value = {
    enabled        = local.ha_enabled
    instance_group = local.ha_instance_group
  }
}

output "terraform_reads" {
  description = "The keys Terraform reads, by section."
  value       = local.terraform_reads
}

output "transfer_fields" {
  description = "Data Transfer JSON parser fields (name, type, key, required), generated from record.fields in order."
  value       = local.transfer_fields
}

output "backend_config" {
  description = "The -backend-config flags for terraform init, one per line (empty for an environment that is not deployed)."
  value       = join("\n", local.backend_config)
}
