"""`portable lock`: resolve the app's requirements-dev.txt again into requirements.lock, with pip-compile.

The archives install a function's `requires=` packages, and on GCP the runtime and the data
clients, at the versions in requirements.lock (providers/deploy/lock.py). A new app starts with
a copy of the framework's lock; once its functions require packages of their own, listed in
requirements-dev.txt, this pins them. The framework is asked for with the cloud extras the
archives take from the lock, and its own line is left out of the lock: archives take the
framework from where it is installed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from portable.errors import ConfigurationError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

FRAMEWORK = "portable"
ARCHIVE_EXTRAS = frozenset({"aws", "gcp"})
LOCK_INPUT = "requirements-dev.txt"
LOCK_OUTPUT = "requirements.lock"
PIP_COMPILE_OPTIONS = [
    "--quiet",
    "--strip-extras",
    "--allow-unsafe",
    "--annotation-style=line",
    "--no-emit-index-url",
    "--no-emit-find-links",
]


def lock_input(text: str) -> str:
    """requirements-dev.txt, with the framework's line asking for the cloud extras as well."""
    lines = []
    for line in text.splitlines():
        requirement = _framework_requirement(line)
        if requirement is not None:
            requirement.extras |= ARCHIVE_EXTRAS
            line = str(requirement)
        lines.append(line)
    return "\n".join(lines) + "\n"


def without_framework(lock_text: str) -> str:
    """The lock without the line pinning the framework itself."""
    return "".join(line for line in lock_text.splitlines(keepends=True) if _framework_requirement(line) is None)


def lock(root: Path, options: list[str]) -> int:
    """Write `root`'s requirements.lock; pip-compile's `options` (e.g. --upgrade-package NAME) are passed on."""
    if importlib.util.find_spec("piptools") is None:
        raise ConfigurationError(
            "portable lock runs pip-compile, which is not installed here: add pip-tools>=7.5 to "
            f"{LOCK_INPUT} (a new app has it), or run `pip install pip-tools`"
        )
    source = root / LOCK_INPUT
    if not source.is_file():
        raise ConfigurationError(
            f"{source} is missing: list the app's packages there, the framework's line first "
            "(`portable new` writes one), then run `portable lock`"
        )
    command = [
        sys.executable,
        "-m",
        "piptools",
        "compile",
        *PIP_COMPILE_OPTIONS,
        "--output-file",
        LOCK_OUTPUT,
        *options,
        "-",
    ]
    done = subprocess.run(
        command,
        input=lock_input(source.read_text(encoding="utf-8")),
        text=True,
        cwd=root,
        env={**os.environ, "CUSTOM_COMPILE_COMMAND": "portable lock"},
        check=False,
    )
    if done.returncode != 0:
        return done.returncode
    output = root / LOCK_OUTPUT
    output.write_text(without_framework(output.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


def _framework_requirement(line: str) -> Requirement | None:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    text = line.partition(" #")[0].strip()
    if not text or text.startswith(("#", "-")):
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    return requirement if canonicalize_name(requirement.name) == FRAMEWORK else None
