variable "environment" {
  description = "Environment of conf/app.json to deploy (e.g. dev, prod); it selects every parameter. Must be the environment whose backend this directory was initialised with (scripts/backend-config.sh)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*$", var.environment))
    error_message = "environment must be a lower-case name of conf/app.json's environments, e.g. dev or prod."
  }
}

variable "finnhub_token" {
  description = "Finnhub API key (or several, comma-separated: the service opens one connection per key), stored in Lockbox for the service as FINNHUB_TOKEN. Supply it at apply time (export TF_VAR_finnhub_token from a password manager); never write it into a file in the repository. A new value creates a new secret version (rotation)."
  type        = string
  sensitive   = true
  nullable    = false

  validation {
    condition     = can(regex("^[^\\s,]{8,256}(,[^\\s,]{8,256})*$", var.finnhub_token))
    error_message = "finnhub_token must be Finnhub API keys of 8 to 256 characters, comma-separated, without spaces."
  }
}
