"""A secret in AWS Secrets Manager through boto3: its ARN comes from the environment, its value never does."""

from __future__ import annotations

from portable.secrets import no_value
from providers.aws.aws_errors import translated
from providers.aws.sdk import client


class SecretsManagerSecret:
    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical  # the secret's ARN (the logical name outside a deployed stack)

    def fetch(self) -> str:
        with translated(self.logical, "read", no_value(self.logical)):
            reply = client("secretsmanager").get_secret_value(SecretId=self.physical)
        text = reply.get("SecretString")
        if text is None:
            text = bytes(reply["SecretBinary"]).decode()
        return str(text)
