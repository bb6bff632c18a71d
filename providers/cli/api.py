"""`portable openapi` and `portable client`: the App's OpenAPI document, and a typed Python client generated from it.

Without a stack, the document is the App as its code declares it (the issuers `jwt_auth(...)` names); with
`--stack`, as that stack deploys it (`portable:jwtAuth`, `portable:domain`), which needs the deploy extra.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from portable.errors import ConfigurationError
from portable.loading import load_app
from portable.openapi import openapi_document
from providers.paths import project_title

CLIENT_GENERATOR = "openapi-python-client"


def app_document(root: Path, stack: str | None) -> dict[str, Any]:
    """The document of the app at `root`, as declared or as `stack` deploys it."""
    app = load_app("functions", str(root))
    if stack is None:
        return openapi_document(app, project_title(root))
    try:
        from providers.deploy.api_document import stack_document
    except ImportError:
        raise ConfigurationError(
            "--stack reads the stack's settings with Pulumi, which needs the deploy extra: "
            "pip install 'portable-serverless[deploy]'; without --stack the document is the App as declared"
        ) from None
    return stack_document(app, root, stack)


def as_text(document: dict[str, Any], yaml_format: bool) -> str:
    if not yaml_format:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    import yaml

    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    return text


def generate_client(document: dict[str, Any], out_dir: Path) -> None:
    """A typed Python client package for `document` in `out_dir` (replaced if it holds one), by
    openapi-python-client: a project whose package is named after the API (`<title>_client`)."""
    generator = _generator()
    package = "".join(char if char.isalnum() else "_" for char in document["info"]["title"].lower()) + "_client"
    with tempfile.TemporaryDirectory(prefix="portable-client-") as temporary:
        spec = Path(temporary) / "openapi.json"
        spec.write_text(json.dumps(document))
        config = Path(temporary) / "config.json"
        overrides = {"package_name_override": package, "project_name_override": out_dir.name}
        config.write_text(json.dumps(overrides))
        done = subprocess.run(
            [
                *generator,
                "generate",
                "--path",
                str(spec),
                "--config",
                str(config),
                "--meta",
                "uv",
                "--output-path",
                str(out_dir),
                "--overwrite",
            ],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise ConfigurationError(f"{CLIENT_GENERATOR} could not generate the client:\n{done.stdout}{done.stderr}")
    warnings = [line for line in done.stdout.splitlines() if "Warning" in line or "WARNING" in line]
    for line in warnings:
        print(line, file=sys.stderr)


def _generator() -> list[str]:
    beside = Path(sys.executable).parent / CLIENT_GENERATOR
    found = str(beside) if beside.exists() else shutil.which(CLIENT_GENERATOR)
    if found is None:
        raise ConfigurationError(
            f"portable client needs {CLIENT_GENERATOR}, which the client extra installs: "
            "pip install 'portable-serverless[client]'"
        )
    return [found]
