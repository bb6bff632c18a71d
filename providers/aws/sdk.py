"""boto3 clients, created on first use and shared by every handle in the process."""

from __future__ import annotations

import functools
import os
from typing import Any


@functools.cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 4}}
    if service == "s3":
        options["signature_version"] = "s3v4"
        if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"):
            options["s3"] = {"addressing_style": "path"}  # local S3 servers have no per-bucket host names
    return boto3.session.Session().client(service, config=Config(**options))
