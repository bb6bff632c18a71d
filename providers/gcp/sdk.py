"""Google Cloud clients, created on first use and shared by every handle in the process."""

from __future__ import annotations

import functools
import os
from typing import Any


def _project() -> str | None:
    return os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")


@functools.cache
def storage_client() -> Any:
    from google.cloud import storage  # type: ignore[attr-defined]

    if os.environ.get("STORAGE_EMULATOR_HOST"):
        from google.auth.credentials import AnonymousCredentials

        anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]
        return storage.Client(project=_project() or "local", credentials=anonymous)
    return storage.Client(project=_project())


@functools.cache
def firestore_client() -> Any:
    from google.cloud import firestore

    return firestore.Client(project=_project(), database=os.environ.get("PORTABLE_FIRESTORE_DATABASE") or None)


@functools.cache
def secret_client() -> Any:
    """Secret Manager over REST; SECRET_MANAGER_EMULATOR_HOST (host:port) points it at a loopback stand-in."""
    from google.cloud import secretmanager

    emulator = os.environ.get("SECRET_MANAGER_EMULATOR_HOST")
    if emulator:
        from google.auth.credentials import AnonymousCredentials

        anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]
        return secretmanager.SecretManagerServiceClient(
            credentials=anonymous,
            transport="rest",
            client_options={"api_endpoint": f"http://{emulator}"},
        )
    return secretmanager.SecretManagerServiceClient()


def signing_credentials() -> Any:
    """The credentials that sign URLs. Against the emulator (whose client is anonymous) they come from
    the service account key file in GOOGLE_APPLICATION_CREDENTIALS, when one is given."""
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if os.environ.get("STORAGE_EMULATOR_HOST") and key_file:
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_file(key_file)  # type: ignore[no-untyped-call]
    return storage_client()._credentials


@functools.cache
def publisher_client() -> Any:
    """Pub/Sub's publisher; PUBSUB_EMULATOR_HOST points it at the emulator (the library reads it itself)."""
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    return pubsub_v1.PublisherClient()


def topic_path(topic: str) -> str:
    """A topic's full path: as given if it is one, else in the project of GOOGLE_CLOUD_PROJECT."""
    if topic.startswith("projects/"):
        return topic
    return f"projects/{_project() or 'local'}/topics/{topic}"
