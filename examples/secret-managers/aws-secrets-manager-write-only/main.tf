# Owns the key of WhatsApp number wn_1 and stores it in AWS Secrets Manager
# through the write-only argument secret_string_wo, so the key does not reach
# the AWS resource's state. secret_string_wo_version = key_version makes the
# secret store the key again exactly when it is regenerated.
#
# Write-only arguments need Terraform 1.11 or OpenTofu 1.11 and later.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

provider "pilotstatus" {}

provider "aws" {}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  rotation_period    = "30d"
}

resource "aws_secretsmanager_secret" "support" {
  name = "pilotstatus/wn_1/api-key"
}

resource "aws_secretsmanager_secret_version" "support" {
  secret_id                = aws_secretsmanager_secret.support.id
  secret_string_wo         = pilotstatus_number_api_key.support.key
  secret_string_wo_version = pilotstatus_number_api_key.support.key_version
}
