"""`portable new DIR`: a new app repository of the same shape as this one, minus the framework's source."""

from __future__ import annotations

import json
import re
from importlib import metadata, resources
from importlib.abc import Traversable
from pathlib import Path

from portable.errors import ConfigurationError
from portable.loading import FRAMEWORK_PACKAGES
from providers.paths import FRAMEWORK_ROOT

DISTRIBUTION = "portable-serverless"
TEMPLATE_SUFFIX = ".tmpl"
HIDDEN_PREFIX = "dot-"
EXECUTABLE = {"dev"}


def installed_distribution() -> metadata.Distribution | None:
    """The installed distribution this code runs from, if it runs from one (not from a checkout).

    An installer records itself (INSTALLER); the egg-info a build leaves in a checkout does not.
    """
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    installed_here = Path(str(distribution.locate_file(""))).resolve() == FRAMEWORK_ROOT
    return distribution if installed_here and distribution.read_text("INSTALLER") is not None else None


def framework_version() -> str:
    distribution = installed_distribution()
    if distribution is not None:
        return distribution.version
    import tomllib

    with (FRAMEWORK_ROOT / "pyproject.toml").open("rb") as file:
        version: str = tomllib.load(file)["project"]["version"]
    return version


def framework_requirement(extras: str = "") -> str:
    """This framework as a requirement line, pinned to where it came from: the path, git commit or wheel it was
    installed from (PEP 610), the version on an index, or else this checkout's folder."""
    name = f"{DISTRIBUTION}[{extras}]" if extras else DISTRIBUTION
    distribution = installed_distribution()
    if distribution is None:
        return f"{name} @ {FRAMEWORK_ROOT.as_uri()}"
    origin = distribution.read_text("direct_url.json")
    if origin is None:
        return f"{name}=={distribution.version}"
    direct = json.loads(origin)
    url = direct["url"]
    vcs = direct.get("vcs_info")
    if vcs is not None:
        url = f"{vcs['vcs']}+{url}@{vcs['commit_id']}"
    if direct.get("subdirectory"):
        url += f"#subdirectory={direct['subdirectory']}"
    return f"{name} @ {url}"


def project_name(directory: Path) -> str:
    """A Pulumi project name from the folder's name: up to 100 letters, digits, '_', '.' and '-'."""
    return (re.sub(r"[^A-Za-z0-9_.-]+", "-", directory.name).strip("-.") or "portable-app")[:100]


def template_files(folder: Traversable, prefix: str = "") -> dict[str, str]:
    """Relative destination path -> template text, for every file of the template folder."""
    files: dict[str, str] = {}
    for entry in folder.iterdir():
        if entry.is_dir():
            files.update(template_files(entry, f"{prefix}{entry.name}/"))
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            name = entry.name.removesuffix(TEMPLATE_SUFFIX)
            if name.startswith(HIDDEN_PREFIX):
                name = "." + name.removeprefix(HIDDEN_PREFIX)
            files[prefix + name] = entry.read_text(encoding="utf-8")
    return files


def scaffold(directory: Path) -> list[Path]:
    """Write a new app into `directory` (absent or empty); the files written."""
    if directory.resolve().name in FRAMEWORK_PACKAGES:
        raise ConfigurationError(
            f"an app folder named {directory.resolve().name!r} would be imported in place of the framework's package "
            f"of that name by Python run from {directory.resolve().parent}; choose another name, e.g. portable new "
            f"my-{directory.resolve().name}-app"
        )
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ConfigurationError(
            f"{directory} already exists and is not empty; `portable new` only writes into a new or empty folder. "
            "Choose another name, e.g. portable new my-app"
        )
    values = {
        "name": project_name(directory.resolve()),
        "version": framework_version(),
        "requirement": framework_requirement(),
        "deploy_requirement": framework_requirement("deploy"),
    }
    written = []
    for relative, text in sorted(template_files(resources.files("providers.cli") / "template").items()):
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if relative in EXECUTABLE:
            path.chmod(0o755)
        written.append(path)
    return written
