"""A secret in Google Secret Manager: its resource name comes from the environment, its value never does."""

from __future__ import annotations

from portable.secrets import no_value
from providers.gcp.gcp_errors import translated
from providers.gcp.sdk import secret_client


class SecretManagerSecret:
    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical  # projects/<project>/secrets/<id> (the logical name outside a deployed stack)

    def fetch(self) -> str:
        with translated(self.logical, "read", no_value(self.logical)):
            reply = secret_client().access_secret_version(name=f"{self.physical}/versions/latest")
        data: bytes = reply.payload.data
        return data.decode()
