variable "image" {
  description = "The service image, cr.yandex/<registry id>/<repository>:<tag>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image))
    error_message = "image must be registry/repository:tag with a fixed tag."
  }
}

variable "environment" {
  description = "Plain environment variables of the service container (never secret values: the VM's metadata is readable by anyone who may read the VM)."
  type        = map(string)
  nullable    = false

  validation {
    condition     = contains(keys(var.environment), "APP_ENV") && length(setintersection(keys(var.environment), ["FINNHUB_TOKEN", "KAFKA_PASSWORD"])) == 0
    error_message = "environment must set APP_ENV and must not hold FINNHUB_TOKEN or KAFKA_PASSWORD (pass LOCKBOX_SECRETS instead)."
  }
}

variable "http_port" {
  description = "The service's status port (http.port), published on the VM for health checks and scraping."
  type        = number
  nullable    = false

  validation {
    condition     = var.http_port >= 1 && var.http_port <= 65535 && var.http_port != 24224
    error_message = "http_port must be a TCP port other than 24224 (the log agent's)."
  }
}

variable "log_group_id" {
  description = "Cloud Logging group the container's output goes to."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.log_group_id) > 0
    error_message = "log_group_id must not be empty."
  }
}

variable "log_agent_image" {
  description = "Fluent Bit with Yandex's Cloud Logging output plugin (cr.yandex/yc/fluent-bit-plugin-yandex:<tag>)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9.-]+/[A-Za-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$", var.log_agent_image))
    error_message = "log_agent_image must be registry/repository:tag."
  }
}
