"""Cloud Functions source archives (deploy time only).

One zip per function: `main.py` (generated: the function's functions-framework target, bound at import), the
GCP runtime shim and the function's codec,
`portable/`, the function's own module and a `requirements.txt` that Cloud Build
installs: functions-framework, the Google client libraries the function's declared
resources need, the function's own `requires=` and everything they need, each pinned
with == to its version in requirements.lock.
"""

from __future__ import annotations

from pathlib import Path

from portable.app import FunctionSpec, ResourceSpec
from providers.deploy.bytecode import with_bytecode
from providers.deploy.entry_modules import GCP_MODULE, gcp_entry
from providers.deploy.lock import LOCK_FILE, Lock, declared_requirements, read_lock
from providers.deploy.packaging import (
    DEFAULT_BUILD_DIR,
    Entries,
    function_entries,
    portable_entries,
    runtime_modules,
    shim_entries,
    write_archive,
)

RUNTIME_PACKAGES = ("functions-framework", "cloudevents")
MESSAGE_KINDS = ("queue", "topic")
CLIENT_PACKAGES = {
    "bucket": "google-cloud-storage",
    "table": "google-cloud-firestore",
    "secret": "google-cloud-secret-manager",
    "queue": "google-cloud-pubsub",
    "topic": "google-cloud-pubsub",
}


def requirements_txt(spec: FunctionSpec, resources: dict[str, ResourceSpec], lock: Lock) -> str:
    # A queue or topic needs the Pub/Sub client only to send to it: messages arrive over HTTP.
    kinds = {
        resources[name].kind
        for name in spec.uses
        if name in resources
        if resources[name].kind not in MESSAGE_KINDS or name in spec.writes
    }
    packages = [*RUNTIME_PACKAGES, *dict.fromkeys(CLIENT_PACKAGES[kind] for kind in sorted(kinds))]
    runtime = [lock.requirement(package, f"the Cloud Functions archive of {spec.name!r}") for package in packages]
    return "".join(f"{pin}\n" for pin in lock.closure([*runtime, *declared_requirements(spec, lock)]))


def archive_entries(spec: FunctionSpec, resources: dict[str, ResourceSpec], lock: Lock, python_version: str) -> Entries:
    entries: Entries = {f"{GCP_MODULE}.py": gcp_entry(spec).encode()}
    entries["requirements.txt"] = requirements_txt(spec, resources, lock).encode()
    entries.update(portable_entries())
    entries.update(shim_entries("gcp", runtime_modules("gcp", spec)))
    entries.update(function_entries(spec))
    return with_bytecode(entries, python_version)


def build_archive(
    spec: FunctionSpec,
    resources: dict[str, ResourceSpec],
    python_version: str,
    build_dir: Path = DEFAULT_BUILD_DIR,
    lock_file: Path = LOCK_FILE,
) -> Path:
    """Write `<build_dir>/gcp/<function>-<digest>.zip`, bytecode for CPython `python_version`, and return its path."""
    entries = archive_entries(spec, resources, read_lock(lock_file), python_version)
    return write_archive(entries, build_dir / "gcp", spec.name)
