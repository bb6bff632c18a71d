"""Seeded mutations of published event payloads: the shapes a broken or hostile sender can produce."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**30,
    -(10**30),
    float("inf"),
    "",
    " ",
    "abc",
    "\ud800",
    "\x00",
    "a\nb",
    "%",
    "%zz",
    "%C3%A9",
    "..",
    "/",
    "//",
    "0",
    "-5",
    "1e400",
    "9" * 400,
    "x" * 70_000,
    "ÿ" * 10,
    "²",  # str.isdigit() says yes, int() refuses it
    "٣",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01T00:00:00",
    "not a time",
    "-1000000000000",
    [],
    [1],
    ["a", None],
    {},
    {"a": 1},
    {"": None},
    [[[[]]]],
]


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into `value`, containers included."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leaves(child, (*path, index))


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return root


def _delete(root: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return root
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return root


def mutate(event: Any, rng: random.Random) -> Any:
    """One to three random edits: replace a value, delete a key, or nest deeply."""
    mutated = copy.deepcopy(event)
    for _ in range(rng.randint(1, 3)):
        paths = list(leaves(mutated))
        path = rng.choice(paths[1:] or paths)
        roll = rng.random()
        if roll < 0.7:
            mutated = _set(mutated, path, copy.deepcopy(rng.choice(ODD_VALUES)))
        elif roll < 0.9:
            mutated = _delete(mutated, path)
        else:  # last edit: nothing walks the result again
            deep: Any = "x"
            for _ in range(rng.choice((50, 2000))):
                deep = [deep]
            return _set(mutated, path, deep)
    return mutated


def load_payloads(folder: Path, *patterns: str) -> list[Any]:
    return [json.loads(path.read_text()) for pattern in patterns for path in sorted(folder.glob(pattern))]
