"""Lambda deployment archives (deploy time only).

One zip per function: its entry module (`portable_entry.py`, which binds the function at import), the AWS
runtime shim and the function's codec, `portable/`, the function's own module and
the wheels of the third-party packages that function declares in `requires=` and of what
they need, at the versions in requirements.lock, installed by uv for Lambda's platform
(manylinux, the stack's architecture and CPython version), never built on this machine.
Installed sets are cached by those exact versions, the platform and the CPython version.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import distributions
from pathlib import Path

from packaging.utils import canonicalize_name

from portable.app import FunctionSpec
from portable.errors import AppDefinitionError, ConfigurationError
from providers.deploy.bytecode import with_bytecode
from providers.deploy.entry_modules import AWS_HANDLER, AWS_MODULE, aws_entry
from providers.deploy.lock import LOCK_FILE, Lock, Pin, declared_requirements, read_lock
from providers.deploy.packaging import (
    DEFAULT_BUILD_DIR,
    DEFAULT_CACHE_DIR,
    Entries,
    function_entries,
    portable_entries,
    runtime_modules,
    shim_entries,
    tree_entries,
    write_archive,
)
from providers.installer import UV_REQUIREMENT, uv_binary
from providers.requirements import add_package

HANDLER = AWS_HANDLER
ARCHITECTURES = ("x86_64", "arm64")
_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
# The manylinux level of each Lambda Python runtime's OS, as uv names it: Amazon Linux 2 (glibc 2.26) for 3.11,
# whose nearest level uv knows below it is 2.17; AL2023 (glibc 2.34) after.
_MANYLINUX = {"3.11": "manylinux_2_17", "3.12": "manylinux_2_34", "3.13": "manylinux_2_34"}
# Present in every Lambda Python runtime; shipped only when pinned exactly.
_RUNTIME_PROVIDED = {"boto3", "botocore"}
_COMPLETE_MARKER = ".portable-complete"


@dataclass(frozen=True)
class WheelTarget:
    """Where the installed wheels must run: a CPython version and uv's `--python-platform` (none = this machine)."""

    python_version: str
    platform: str = ""

    @classmethod
    def for_lambda(cls, python_version: str, architecture: str) -> WheelTarget:
        if architecture not in _MACHINE:
            raise ConfigurationError(
                f"architecture {architecture!r} is not a Lambda architecture: use one of {', '.join(ARCHITECTURES)}"
            )
        if python_version not in _MANYLINUX:
            raise ConfigurationError(
                f"Python {python_version} has no Lambda runtime here: use one of {', '.join(_MANYLINUX)}"
            )
        return cls(python_version, f"{_MACHINE[architecture]}-{_MANYLINUX[python_version]}")

    @classmethod
    def this_interpreter(cls) -> WheelTarget:
        """For tests that import compiled wheels from an unpacked archive on this machine."""
        return cls(f"{sys.version_info.major}.{sys.version_info.minor}")


def bundled_requirements(spec: FunctionSpec, lock: Lock) -> list[Pin]:
    """The locked packages to install: the function's `requires=` and everything they need.

    What the Lambda runtime provides is left to it, unless the function pins it with ==.
    """
    kept = []
    for requirement in declared_requirements(spec, lock):
        pinned = any(specifier.operator in ("==", "===") for specifier in requirement.specifier)
        if canonicalize_name(requirement.name) not in _RUNTIME_PROVIDED or pinned:
            kept.append(requirement)
    return lock.closure(kept)


def wheel_set_key(pins: list[Pin], target: WheelTarget) -> str:
    """What an installed set is cached by: the exact versions, the platform and the CPython version."""
    resolved = [[str(pin) for pin in pins], target.python_version, target.platform]
    return hashlib.sha256(json.dumps(resolved).encode()).hexdigest()[:24]


def install_requirements(pins: list[Pin], target: WheelTarget, cache_dir: Path) -> Path:
    """A directory holding exactly `pins` installed for `target`, reused when it exists."""
    installed = cache_dir / "lambda-wheels" / wheel_set_key(pins, target)
    if (installed / _COMPLETE_MARKER).exists():
        return installed
    uv = uv_binary()
    if uv is None:
        raise ConfigurationError(
            "Lambda archives install their wheels with uv, which is not installed here: "
            f"pip install 'portable-serverless[deploy]' (it brings {UV_REQUIREMENT}), or put uv on PATH"
        )
    installed.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=installed.parent, prefix="staging-"))
    command = [uv, "pip", "install", "--quiet", "--no-config", "--only-binary", ":all:", "--target", str(staging)]
    command += ["--python", sys.executable, "--python-version", target.python_version]
    if target.platform:
        command += ["--python-platform", target.platform]
    requirements = [str(pin) for pin in pins]
    result = subprocess.run([*command, *requirements], capture_output=True, text=True, check=False)
    where = target.platform or "this machine"
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise AppDefinitionError(
            f"cannot install {' '.join(requirements)} for CPython {target.python_version} on {where}: "
            f"{result.stderr.strip()[-800:]}\nEvery requirement needs a binary wheel for that platform "
            "(Lambda archives never hold packages built on the deploying machine)"
        )
    locked = {canonicalize_name(pin.name) for pin in pins}
    unlocked = sorted(
        (str(dist.metadata["Name"]), dist.version)
        for dist in distributions(path=[str(staging)])
        if canonicalize_name(dist.metadata["Name"]) not in locked
    )
    if unlocked:
        shutil.rmtree(staging, ignore_errors=True)
        raise AppDefinitionError(
            f"{' '.join(requirements)} on CPython {target.python_version} ({where}) also need "
            f"{', '.join(f'{name}=={version}' for name, version in unlocked)}, which the lock does not hold; "
            f"{add_package(', '.join(name for name, _ in unlocked))}"
        )
    shutil.rmtree(staging / "bin", ignore_errors=True)
    (staging / _COMPLETE_MARKER).touch()
    try:
        staging.rename(installed)
    except OSError:  # another build finished the same set first
        shutil.rmtree(staging, ignore_errors=True)
    return installed


def archive_entries(spec: FunctionSpec, target: WheelTarget, cache_dir: Path, lock: Lock) -> Entries:
    entries: Entries = {}
    pins = bundled_requirements(spec, lock)
    if pins:
        installed = install_requirements(pins, target, cache_dir)
        entries.update(tree_entries(installed))
        entries.pop(_COMPLETE_MARKER, None)
    entries.update(portable_entries())
    entries.update(shim_entries("aws", runtime_modules("aws", spec)))
    entries.update(function_entries(spec))
    entries[f"{AWS_MODULE}.py"] = aws_entry(spec).encode()
    return with_bytecode(entries, target.python_version)


def build_archive(
    spec: FunctionSpec,
    target: WheelTarget,
    build_dir: Path = DEFAULT_BUILD_DIR,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    lock_file: Path = LOCK_FILE,
) -> Path:
    """Write `<build_dir>/aws/<function>-<digest>.zip` and return its path."""
    return write_archive(archive_entries(spec, target, cache_dir, read_lock(lock_file)), build_dir / "aws", spec.name)
