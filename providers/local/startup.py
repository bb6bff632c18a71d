"""What the local runner says when it starts: what it serves (the banner), and what will fail before it does.

The warnings name each thing the App needs that this machine lacks, and how to give it: a `requires=`
package not installed, a secret without a local value, and a resource declared that no function uses.
The dashboard shows the same warnings.
"""

from __future__ import annotations

import os
import re

from portable.app import App
from providers.local.access import LOOPBACK_ONLY, ControlAccess
from providers.local.load_failure import shown_path
from providers.local.secrets import secret_file, value_variable
from providers.local.sqlite_files import local_dir
from providers.requirements import add_package

_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def banner(app: App, url: str, fast_retries: bool = False, access: ControlAccess = LOOPBACK_ONLY) -> str:
    """What the runner serves, said once at start: the dashboard and who may open it (`access`), then each kind's
    triggers one kind a line (its local codec's `LABEL` and `describe`), then the buckets and tables; and the
    retries when they are not the portable ones."""
    from portable.triggers import KINDS
    from providers.local.events import codec

    def line(label: str, entries: list[str]) -> str:
        return f"  {label + ':':<10} {', '.join(entries) or 'none'}"

    lines = [f"Portable local: {url}", access.described(url)]
    lines += [line(codec(kind).LABEL, codec(kind).describe(app)) for kind in KINDS]
    lines += [line("buckets", app.buckets), line("tables", app.tables)]
    if fast_retries:
        lines.append(
            "  retries:   fast (--fast-retries): 1 s before the second attempt, doubling, each function's number of "
            "attempts as declared"
        )
    return "\n".join(lines)


def warnings(app: App) -> list[str]:
    """Every start-up warning, each a line starting with `warning: `."""
    return [*missing_requirements(app), *missing_secrets(app), *unused_resources(app)]


def missing_requirements(app: App) -> list[str]:
    """A warning for each `requires=` package of a function that is not installed here."""
    from importlib import metadata

    found = []
    for spec in app.functions.values():
        for requirement in spec.requires:
            name = _REQUIREMENT_NAME.match(requirement)
            if name is None:
                continue  # the deploy refuses it, naming the fix
            try:
                metadata.distribution(name[0])
            except metadata.PackageNotFoundError:
                found.append(
                    f"warning: function {spec.name!r} ({shown_path(spec.where)}) requires {requirement!r}, which is "
                    f"not installed here, so calling it fails; {add_package(requirement)}"
                )
    return found


def missing_secrets(app: App) -> list[str]:
    """A warning for each secret a function reads that has no local value, naming both ways to give it one."""
    found = []
    for name in app.secrets:
        variable, file = value_variable(name), secret_file(local_dir(), name)
        if variable in os.environ or file.is_file():
            continue
        readers = ", ".join(sorted(spec.name for spec in app.functions.values() if name in spec.reads))
        found.append(
            f"warning: secret {name!r} (read by {readers}) has no local value, so reading it fails; write the value "
            f"to {shown_path(str(file))}, or set {variable} in the environment of `portable dev`"
        )
    return found


def unused_resources(app: App) -> list[str]:
    """A warning for each resource declared that no function uses: none is deployed, and none runs locally."""
    return [f"warning: {sentence}" for sentence in app.unused_warnings(shown_path)]
