variable "config_file" {
  description = "Path of conf/app.json, the one file of deployment parameters shared with the service."
  type        = string
  nullable    = false

  validation {
    condition     = fileexists(var.config_file)
    error_message = "config_file does not name an existing file."
  }
}

variable "environment" {
  description = "Environment of conf/app.json to resolve (a key of its \"environments\"), e.g. dev or prod."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*$", var.environment))
    error_message = "environment must be a lower-case name such as dev or prod."
  }
}
