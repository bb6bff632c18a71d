"""`portable lock`: resolve the app's requirements-dev.txt again into requirements.lock, with uv.

The archives install a function's `requires=` packages, and on GCP the runtime and the data
clients, at the versions in requirements.lock (providers/deploy/lock.py). A new app starts with
a copy of the framework's lock; once its functions require packages of their own, listed in
requirements-dev.txt, this pins them. The framework is asked for with the cloud extras the
archives take from the lock, and its own line is left out of the lock: archives take the
framework from where it is installed. Where uv is missing, pip-compile (pip-tools) resolves the
same lock, more slowly.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from portable.errors import ConfigurationError
from providers.cli.scaffold import DISTRIBUTION
from providers.installer import UV_REQUIREMENT, uv_binary
from providers.requirements import LOCK_INPUT, LOCK_OUTPUT

if TYPE_CHECKING:
    from packaging.requirements import Requirement

ARCHIVE_EXTRAS = frozenset({"aws", "gcp"})
COMMAND = "portable lock"
# The lock's form, the same from either resolver: one package a line, what needs it on the same line.
UV_COMPILE_OPTIONS = ["--quiet", "--no-config", "--annotation-style=line", f"--custom-compile-command={COMMAND}"]
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


def compile_command(options: list[str]) -> list[str]:
    """The resolver's command line, reading requirements-dev.txt on stdin: uv, else pip-compile."""
    uv = uv_binary()
    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if uv is not None:
        return [uv, "pip", "compile", *UV_COMPILE_OPTIONS, f"--python-version={python_version}",
                "--output-file", LOCK_OUTPUT, *options, "-"]  # fmt: skip
    if importlib.util.find_spec("piptools") is not None:
        return [sys.executable, "-m", "piptools", "compile", *PIP_COMPILE_OPTIONS, "--output-file", LOCK_OUTPUT,
                *options, "-"]  # fmt: skip
    raise ConfigurationError(
        f"{COMMAND} resolves with uv, which is not installed here: add {UV_REQUIREMENT} to {LOCK_INPUT} (a new app "
        "has it) and run ./dev setup, or put uv on PATH; where uv cannot be installed, `pip install pip-tools` "
        "resolves the same lock"
    )


def lock(root: Path, options: list[str]) -> int:
    """Write `root`'s requirements.lock; the resolver's `options` (e.g. --upgrade-package NAME) are passed on."""
    source = root / LOCK_INPUT
    if not source.is_file():
        raise ConfigurationError(
            f"{source} is missing: list the app's packages there, the framework's line first "
            f"(`portable new` writes one), then run `{COMMAND}`"
        )
    done = subprocess.run(
        compile_command(options),
        input=lock_input(source.read_text(encoding="utf-8")),
        text=True,
        cwd=root,
        env={**os.environ, "CUSTOM_COMPILE_COMMAND": COMMAND},
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
    return requirement if canonicalize_name(requirement.name) == DISTRIBUTION else None
