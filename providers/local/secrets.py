"""Local secret values: the environment variable PORTABLE_SECRET_VALUE_<NAME>, else the file secrets/<name> in the
local state folder (`.portable/` by default). A file's one trailing newline is not part of the value."""

from __future__ import annotations

import os
from pathlib import Path

from portable.errors import NotFound, TooLarge
from portable.limits import SECRET_VALUE_MAX_BYTES


def value_variable(name: str) -> str:
    return f"PORTABLE_SECRET_VALUE_{name.upper()}"


def secret_file(root: Path, name: str) -> Path:
    return root / "secrets" / name


class LocalSecret:
    def __init__(self, logical: str, root: Path) -> None:
        self.logical = logical
        self.root = root

    def fetch(self) -> str:
        value = os.environ.get(value_variable(self.logical))
        if value is None:
            path = secret_file(self.root, self.logical)
            try:
                value = path.read_text().removesuffix("\n").removesuffix("\r")
            except FileNotFoundError:
                raise NotFound(
                    self.logical,
                    f"the secret has no local value; write it to {path} or set {value_variable(self.logical)}",
                ) from None
        if len(value.encode()) > SECRET_VALUE_MAX_BYTES:
            raise TooLarge(
                self.logical,
                f"the secret's value is over {SECRET_VALUE_MAX_BYTES} bytes, the most "
                "Secrets Manager and Secret Manager keep",
            )
        return value
