"""A throwaway service account key, so Cloud Storage URLs can be signed without Google."""

from __future__ import annotations

import json
from pathlib import Path


def write_key_file(directory: Path) -> tuple[Path, bytes]:
    """The key file path and the PEM public key that verifies its signatures."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    info = {
        "type": "service_account",
        "project_id": "portable-test",
        "private_key_id": "test-key",
        "private_key": private_pem,
        "client_email": "signer@portable-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
    }
    path = directory / "service-account.json"
    path.write_text(json.dumps(info))
    return path, public_pem
