"""Where things are: the framework, and the project being served or deployed.

The framework is `portable/` and `providers/`, wherever they are installed (the folder that
holds them goes into every archive). The project is the app: the folder holding `Pulumi.yaml`,
`functions/` and its own `main.py` (the functions-framework entry points). In this repository
both are the same folder; in an app's repository the framework lives in the app's virtualenv.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_FILE = "Pulumi.yaml"
FRAMEWORK_ROOT = Path(__file__).resolve().parents[1]


def find_project_root(start: Path) -> Path:
    """The nearest folder from `start` upwards holding Pulumi.yaml, else `start` itself."""
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return start


PROJECT_ROOT = find_project_root(Path.cwd().resolve())
MAIN_PY = PROJECT_ROOT / "main.py"


def no_project_here(command: str, start: Path = PROJECT_ROOT) -> str | None:
    """Why `command` has no app to work on from `start` (no Pulumi.yaml there or above), naming the fix; None when
    there is one."""
    if (find_project_root(start) / PROJECT_FILE).is_file():
        return None
    return (
        f"no {PROJECT_FILE} in {start} or any folder above it, so there is no app here for {command}: run it in your "
        f"app's folder (the one holding {PROJECT_FILE} and functions/), or make an app with `portable new DIR`"
    )


def project_title(root: Path = PROJECT_ROOT) -> str:
    """The app's name: the `name:` of its Pulumi.yaml, else its folder's name."""
    found = root / PROJECT_FILE
    if found.is_file():
        for line in found.read_text().splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() == "name" and not line.startswith((" ", "\t")) and value.strip():
                return value.strip().strip("'\"")
    return root.name
