"""What a built archive holds: its entries, those in a deploy package, the Pulumi imports of a module."""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path, PurePosixPath


def entry_names(archive: Path) -> list[str]:
    with zipfile.ZipFile(archive) as opened:
        return opened.namelist()


def deploy_entries(names: list[str]) -> list[str]:
    """The entries in a `deploy` folder (providers/deploy/, providers/<cloud>/deploy/): deploy code."""
    return [name for name in names if "deploy" in PurePosixPath(name).parts[:-1]]


def pulumi_imports(source: bytes) -> list[str]:
    """The modules named by `import pulumi*` and `from pulumi* import ...` anywhere in `source`."""
    imported: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.append(node.module)
    return [name for name in imported if name.split(".")[0].startswith("pulumi")]


def archived_pulumi_imports(archive: Path) -> dict[str, list[str]]:
    """Every archived module that imports Pulumi, with what it imports."""
    with zipfile.ZipFile(archive) as opened:
        found = {name: pulumi_imports(opened.read(name)) for name in opened.namelist() if name.endswith(".py")}
    return {name: modules for name, modules in found.items() if modules}
