""" "Did you mean": the one way a refusal suggests the name the user probably meant (settings, options, routes,
resources, functions). Only on the failure path: difflib is imported when there is something to suggest."""

from __future__ import annotations

from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

# How alike two names must be (difflib's ratio) for one to be suggested for the other.
CUTOFF = 0.6


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `word`, if one is alike enough (case aside); None otherwise."""
    import difflib

    known = {candidate.lower(): candidate for candidate in candidates if candidate != word}
    found = difflib.get_close_matches(word.lower(), list(known), n=1, cutoff=CUTOFF)
    return known[found[0]] if found else None


def did_you_mean(word: str, candidates: Iterable[str], shown: Callable[[str], str] = repr) -> str:
    """`; did you mean X?` for the nearest candidate (written by `shown`), or nothing: to end a refusal with."""
    found = nearest(word, candidates)
    return f"; did you mean {shown(found)}?" if found is not None else ""
