# Owns the key of WhatsApp number wn_1 and stores it in AWS Secrets Manager.
# Every regeneration (keepers, rotation_period, repair of an outside rotation)
# writes the new key as a new secret version in the same apply.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
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
  name        = "pilotstatus/wn_1/api-key"
  description = "Pilot Status API key of WhatsApp number wn_1, rotated by Terraform."
}

resource "aws_secretsmanager_secret_version" "support" {
  secret_id     = aws_secretsmanager_secret.support.id
  secret_string = pilotstatus_number_api_key.support.key
}
