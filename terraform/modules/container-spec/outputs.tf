output "docker_compose" {
  description = "The docker-compose metadata value of the VM (COI runs it)."
  value       = yamlencode(local.compose)
}

output "user_data" {
  description = "The user-data metadata value of the VM: cloud-config writing the log agent's configuration."
  value       = "#cloud-config\n${yamlencode(local.cloud_config)}"
}
