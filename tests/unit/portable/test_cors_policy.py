"""Declaring CORS (portable/cors_policy.py): what is refused, naming the place and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from portable import AppDefinitionError, cors


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"allow_origins": "https://a.example"}, "takes a list, got the string"),
        ({"allow_origins": []}, "allow_origins= is empty"),
        ({"allow_origins": ["https://a.example/"]}, "is not an origin"),
        ({"allow_origins": ["a.example"]}, "is not an origin"),
        ({"allow_origins": ["*"], "allow_credentials": True}, "allow_credentials=True with the origin '*'"),
        ({"allow_origins": ["*"], "allow_methods": ["FETCH"]}, "allow_methods has 'FETCH'"),
        ({"allow_origins": ["*"], "allow_headers": ["x y"]}, "is not an HTTP header name"),
        ({"allow_origins": ["*"], "max_age": 86401}, "max_age must be whole seconds from 0 to 86400"),
    ],
)
def test_a_wrong_cors_declaration_names_the_place_and_the_fix(options: dict[str, Any], named: str) -> None:
    with pytest.raises(AppDefinitionError) as refusal:
        cors(**options)
    assert named in str(refusal.value) and f"{__file__}:" in str(refusal.value)
