"""The lock: the exact version of every package, resolved once by `./dev lock` (deploy time only).

`requirements.lock` is pip-compile's output for requirements-dev.txt, one package a line,
`name==version  # via parent, ...`, so it records both the versions and which package
needs which. The project's environment is installed from it, and the archives take their
third-party packages from it: a function's whole dependency tree, each at its locked version.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from portable.app import FunctionSpec
from portable.errors import AppDefinitionError, ConfigurationError
from providers.paths import PROJECT_ROOT
from providers.requirements import LOCK_COMMAND, LOCK_INPUT, LOCK_OUTPUT, add_package

LOCK_FILE = PROJECT_ROOT / LOCK_OUTPUT


@dataclass(frozen=True)
class Pin:
    """One locked package, with the extras a requirement asked for."""

    name: str
    version: str
    extras: frozenset[str] = field(default=frozenset())

    def __str__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}=={self.version}"


@dataclass(frozen=True)
class Lock:
    """Every locked package by canonical name, and the packages each one needs."""

    source: str
    pins: Mapping[str, Pin]
    needs: Mapping[str, frozenset[str]]

    @classmethod
    def parse(cls, text: str, source: str) -> Lock:
        pins: dict[str, Pin] = {}
        needs: dict[str, set[str]] = {}
        for number, line in enumerate(text.splitlines(), 1):
            pinned, _, comment = line.partition("#")
            if not pinned.strip():
                continue
            pin = _pin(pinned, f"{source}:{number}")
            name = canonicalize_name(pin.name)
            pins[name] = pin
            for parent in (via.strip() for via in comment.strip().removeprefix("via").split(",")):
                if parent and not parent.startswith("-"):  # `-r requirements-dev.txt`: asked for directly
                    needs.setdefault(canonicalize_name(parent), set()).add(name)
        return cls(source, pins, {parent: frozenset(children) for parent, children in needs.items()})

    def requirement(self, text: str, where: str) -> Requirement:
        """`text` as a requirement the lock satisfies; otherwise the refusal names the fix."""
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise AppDefinitionError(
                f"{where}: requires={text!r} is not a valid requirement ({exc}); "
                "write it as pip does, e.g. 'Pillow>=10'"
            ) from None
        if requirement.marker is not None or requirement.url is not None:
            raise AppDefinitionError(
                f"{where}: requires={text!r} takes no environment marker or URL: an archive "
                "is built for one platform from the versions in the lock; name the package only"
            )
        pin = self.pins.get(canonicalize_name(requirement.name))
        if pin is None:
            raise AppDefinitionError(f"{where}: {text!r} is not in {self.source}; {add_package(text)}")
        if not requirement.specifier.contains(pin.version, prereleases=True):
            raise AppDefinitionError(
                f"{where}: {text!r} does not allow {pin}, the version in {self.source}; change the requirement, or "
                f"the range in {LOCK_INPUT} and run `{LOCK_COMMAND} --upgrade-package {pin.name}`"
            )
        return requirement

    def closure(self, requirements: Iterable[Requirement]) -> list[Pin]:
        """The locked pins of `requirements` and of everything they need, sorted by name."""
        extras: dict[str, frozenset[str]] = {}
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            extras[name] = extras.get(name, frozenset()) | requirement.extras
        pending, reached = list(extras), set[str]()
        while pending:
            package = pending.pop()
            if package not in reached:
                reached.add(package)
                pending.extend(self.needs.get(package, ()))
        return [replace(self.pins[package], extras=extras.get(package, frozenset())) for package in sorted(reached)]


def _pin(text: str, where: str) -> Pin:
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        requirement = None
    specifiers = list(requirement.specifier) if requirement else []
    if requirement is None or len(specifiers) != 1 or specifiers[0].operator != "==":
        raise ConfigurationError(
            f"{where}: {text.strip()!r} is not a `name==version` pin; make the lock again with `{LOCK_COMMAND}`"
        )
    return Pin(requirement.name, specifiers[0].version)


def read_lock(path: Path = LOCK_FILE) -> Lock:
    if not path.is_file():
        raise ConfigurationError(
            f"{path} is missing: the archives take their package versions from it; make it with `{LOCK_COMMAND}`"
        )
    return _parsed(path.read_text(), path.name)


@functools.cache  # every archive of a deploy reads the same lock: parse each text once
def _parsed(text: str, source: str) -> Lock:
    return Lock.parse(text, source)


def declared_requirements(spec: FunctionSpec, lock: Lock) -> list[Requirement]:
    """The function's `requires=`, each checked against the lock."""
    return [lock.requirement(text, f"{spec.where} ({spec.name})") for text in spec.requires]
