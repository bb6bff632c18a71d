"""The published payloads in tests/fixtures (SOURCES.md says where each came from), read as JSON."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES


def published(*parts: str) -> Any:
    """The JSON payload at tests/fixtures/<parts...>, e.g. published("aws", "sqs/receive-message.json")."""
    return json.loads(FIXTURES.joinpath(*parts).read_text())
