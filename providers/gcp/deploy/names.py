"""Google resource ids from portable names: lower-case letters, digits and '-', within length limits."""

from __future__ import annotations

import hashlib
import re


def resource_id(text: str, max_length: int, min_length: int = 1) -> str:
    """`text` made valid as an id; too long or too short, it is cut and given a short hash to stay unique."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"p-{cleaned}"
    if len(cleaned) <= max_length and len(cleaned) >= min_length:
        return cleaned
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return f"{cleaned[: max_length - 7].rstrip('-')}-{digest}"
