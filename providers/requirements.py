"""The app's requirement files, and the one piece of advice for a package it needs but does not have.

`requirements-dev.txt` holds the ranges; `./dev lock` resolves them into `requirements.lock`, the exact
versions `./dev` installs and the archives carry. The local runner, `portable preview` and the deploy give
the same advice for a missing package.
"""

from __future__ import annotations

LOCK_INPUT = "requirements-dev.txt"
LOCK_OUTPUT = "requirements.lock"
LOCK_COMMAND = "./dev lock"


def add_package(requirement: str) -> str:
    """How to get `requirement` (e.g. 'httpx>=0.27'), pinned and installed."""
    return (
        f"add {requirement!r} to {LOCK_INPUT} and run `{LOCK_COMMAND}`, which pins it in {LOCK_OUTPUT} (the next "
        "`./dev serve` or `./dev test` installs it)"
    )
