"""Cloud Functions source archives (deploy time only).

One zip per function: `main.py` (the functions-framework targets), the GCP runtime shim,
`portable/`, the function's own module and a `requirements.txt` that Cloud Build
installs: functions-framework, the Google client libraries the function's declared
resources need, and the function's own `requires=`.
"""

from __future__ import annotations

from pathlib import Path

from portable.app import FunctionSpec, ResourceSpec
from providers.deploy.packaging import (
    DEFAULT_BUILD_DIR,
    Entries,
    function_entries,
    portable_entries,
    runtime_modules,
    shim_entries,
    write_archive,
)
from providers.paths import MAIN_PY

RUNTIME_REQUIREMENTS = ("functions-framework>=3.8,<4", "cloudevents>=1.11,<2")
CLIENT_REQUIREMENTS = {
    "bucket": "google-cloud-storage>=2.18,<4",
    "table": "google-cloud-firestore>=2.19,<3",
}


def requirements_txt(spec: FunctionSpec, resources: dict[str, ResourceSpec]) -> str:
    kinds = {resources[name].kind for name in spec.uses if name in resources}
    lines = [*RUNTIME_REQUIREMENTS, *(CLIENT_REQUIREMENTS[kind] for kind in sorted(kinds)), *spec.requires]
    return "".join(f"{line}\n" for line in dict.fromkeys(lines))


def archive_entries(spec: FunctionSpec, resources: dict[str, ResourceSpec]) -> Entries:
    entries: Entries = {"main.py": MAIN_PY, "requirements.txt": requirements_txt(spec, resources).encode()}
    entries.update(portable_entries())
    entries.update(shim_entries("gcp", runtime_modules("gcp", spec), scripts=[MAIN_PY]))
    entries.update(function_entries(spec))
    return entries


def build_archive(
    spec: FunctionSpec, resources: dict[str, ResourceSpec], build_dir: Path = DEFAULT_BUILD_DIR
) -> Path:
    """Write `<build_dir>/gcp/<function>-<digest>.zip` and return its path."""
    return write_archive(archive_entries(spec, resources), build_dir / "gcp", spec.name)
