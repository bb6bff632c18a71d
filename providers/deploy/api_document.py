"""The App's OpenAPI document as a stack deploys it: the stack's JWT issuers and audiences, its domain as server.

`portable openapi --stack NAME` prints it; the deploys build theirs from the same App, already configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from portable.app import App
from portable.openapi import openapi_document
from providers.deploy.config import domain_name
from providers.deploy.http_config import with_stack_overrides
from providers.deploy.preview import RecordingMocks, project_name, stack_config


def stack_document(app: App, root: Path, stack: str) -> dict[str, Any]:
    """`app`'s document with the settings of Pulumi.<stack>.yaml applied, as `pulumi up --stack <stack>` would."""
    config = stack_config(root, stack)
    project = project_name(root)
    pulumi.runtime.set_mocks(RecordingMocks(config.get("aws:region", "us-east-1")), project=project, stack=stack)
    pulumi.runtime.set_all_config(config)
    configured = with_stack_overrides(app)
    domain = domain_name("portable", "domain")
    return openapi_document(configured, project, servers=[f"https://{domain}"] if domain else [])
