"""Deterministic deployment archives, shared by the AWS and GCP packagers (deploy time only).

An archive is a zip whose bytes depend only on the files in it: entries sorted, one fixed
timestamp and mode, no __pycache__. Same sources give the same bytes, so Pulumi sees no
change and an unchanged function is not redeployed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from modulefinder import Module, ModuleFinder
from pathlib import Path

from portable.app import FunctionSpec
from portable.errors import AppDefinitionError
from portable.triggers import codec_name
from providers.paths import FRAMEWORK_ROOT, PROJECT_ROOT

PROVIDERS_ROOT = FRAMEWORK_ROOT / "providers"
DEPLOY_PACKAGE = "deploy"
DEFAULT_BUILD_DIR = PROJECT_ROOT / ".portable" / "build"
DEFAULT_CACHE_DIR = PROJECT_ROOT / ".portable" / "cache"

# 1980-01-01 is the earliest time a zip entry can hold.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644
_SKIPPED_DIRS = {"__pycache__"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")

Entries = dict[str, Path | bytes]


def write_archive(entries: Mapping[str, Path | bytes], directory: Path, stem: str) -> Path:
    """Write `entries` (archive name -> file or bytes) as a deterministic zip in `directory`.

    The file is named after its content (`<stem>-<sha256 prefix>.zip`), so builds of
    different sources never overwrite each other and the same sources give the same file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".zip.tmp")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.create_system = 3  # Unix, so that the mode below is honoured
                info.external_attr = _FILE_MODE << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                content = entries[name]
                archive.writestr(info, content if isinstance(content, bytes) else content.read_bytes())
        destination = directory / f"{stem}-{file_digest(Path(temporary))[:16]}.zip"
        os.replace(temporary, destination)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return destination


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_entries(root: Path, prefix: str = "") -> Entries:
    """Every file under `root` (no __pycache__, no bytecode), named `prefix` + relative path."""
    entries: Entries = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if not path.is_file() or _SKIPPED_DIRS.intersection(relative.parts) or path.name.endswith(_SKIPPED_SUFFIXES):
            continue
        entries[prefix + relative.as_posix()] = path
    return entries


@functools.cache  # every archive of a build carries the same portable/: list it once
def portable_entries() -> Mapping[str, Path | bytes]:
    return tree_entries(FRAMEWORK_ROOT / "portable", "portable/")


def runtime_modules(cloud: str, spec: FunctionSpec) -> list[str]:
    """The shim and the function's codec, plus the data clients when the function uses a bucket or table.

    The shim finds the codec through the registry and binds the clients by name on first use
    (providers/binding.py), which import following cannot see, so they are named here.
    """
    modules = [f"providers.{cloud}.runtime", codec_name(cloud, spec.kind)]
    if spec.uses:
        modules.append(f"providers.{cloud}.clients")
    return modules


def is_deploy_code(module: str) -> bool:
    """Whether `module` is in a `deploy` package (providers.deploy, providers.<cloud>.deploy), which imports Pulumi."""
    return DEPLOY_PACKAGE in module.split(".")


def other_providers(cloud: str) -> list[str]:
    """The packages of providers/ that hold another target (local, the other cloud)."""
    return [
        f"providers.{package.name}"
        for package in sorted(PROVIDERS_ROOT.iterdir())
        if (package / "__init__.py").is_file() and package.name not in (cloud, DEPLOY_PACKAGE)
    ]


def shim_entries(cloud: str, entry_modules: Iterable[str], scripts: Iterable[Path] = ()) -> Entries:
    """The modules of `providers/` and `providers/<cloud>/` the runtime shim imports (statically or lazily).

    What goes in follows from the layout, found by following imports: other providers are
    not followed, and deploy code (anything in a `deploy` package) reached from the shim is
    refused, since it would drag Pulumi in. Every function of a deploy has the same shim, so the
    imports are followed once per build process (a function adds a few milliseconds, not a scan).
    """
    return dict(_shim_entries(cloud, tuple(entry_modules), tuple(scripts)))


@functools.cache
def _shim_entries(cloud: str, entry_modules: tuple[str, ...], scripts: tuple[Path, ...]) -> Entries:
    finder = _ProvidersFinder(path=[str(FRAMEWORK_ROOT)], excludes=[*other_providers(cloud), "portable"])
    for entry in entry_modules:
        finder.import_hook(entry)
    for script in scripts:
        finder.run_script(str(script))
    entries: Entries = {}
    for name, module in finder.modules.items():
        if name != "providers" and not name.startswith("providers."):
            continue
        if is_deploy_code(name):
            raise AppDefinitionError(
                f"the {cloud} runtime imports {name}, which is deploy code (it is in a {DEPLOY_PACKAGE} package "
                "and needs Pulumi); runtime code must not import it. Move what the runtime needs out of the "
                f"{DEPLOY_PACKAGE} package"
            )
        source = getattr(module, "__file__", None)
        if source:
            path = Path(source)
            entries[path.relative_to(FRAMEWORK_ROOT).as_posix()] = path
    return entries


class _ProvidersFinder(ModuleFinder):
    """Follows only `providers`: where the framework is installed, its folder is site-packages, and walking
    every third-party package there would be slow (and ModuleFinder fails on namespace packages)."""

    def import_module(self, partname: str, fqname: str, parent: Module) -> Module | None:
        if fqname != "providers" and not fqname.startswith("providers."):
            return None
        return super().import_module(partname, fqname, parent)


def function_entries(spec: FunctionSpec) -> Entries:
    """The function's module, the `__init__.py` of each package above it, and the sibling modules it imports."""
    top = spec.module.split(".")[0]
    package = sys.modules.get(top)
    package_file = getattr(package, "__file__", None)
    if package_file is None:
        raise AppDefinitionError(
            f"function {spec.name!r}: its package {top!r} is not imported or is a namespace package; "
            f"give {top}/ an __init__.py and load the App before packaging"
        )
    root = Path(package_file).resolve().parent.parent
    finder = ModuleFinder(path=[str(root)], excludes=["portable", "providers"])
    finder.import_hook(spec.module)
    entries: Entries = {}
    for name, module in finder.modules.items():
        source = getattr(module, "__file__", None)
        if (name == top or name.startswith(top + ".")) and source:
            path = Path(source).resolve()
            entries[path.relative_to(root).as_posix()] = path
    own = spec.module.replace(".", "/")
    if f"{own}.py" not in entries and f"{own}/__init__.py" not in entries:
        raise AppDefinitionError(f"function {spec.name!r}: cannot find the source of module {spec.module!r}")
    return entries
