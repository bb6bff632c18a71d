"""Bytecode for archives (deploy time only): every `.py` compiled by the target runtime's CPython.

A Lambda's code directory is read-only, so a module shipped as source alone is compiled again on
every cold start (15-17 ms for `portable/` and the shim). Each `.py` entry gets its
`__pycache__/<name>.cpython-3XY.pyc`, compiled by a CPython of the stack's version (this one, or
one on PATH or under pyenv): the bytecode format changes with every minor version. The files are
unchecked-hash pycs (PEP 552): no timestamp, so the same source gives the same bytes and archives
stay byte-identical; and the runtime never reads the source to validate them. Without an
interpreter of the target version, archives ship source only, and the build says so once.

Stdlib-only at import: the target interpreter runs this file as its compiling worker.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import marshal
import os
import shutil
import struct
import subprocess
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import IO

_UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked
_LENGTH = struct.Struct(">I")


def pyc_bytes(source: bytes, name: str) -> bytes:
    """The unchecked-hash pyc of `source` for this interpreter; `name` is the archive path its code reports."""
    code = compile(source, name, "exec", dont_inherit=True, optimize=0)
    header = importlib.util.MAGIC_NUMBER + struct.pack("<I", _UNCHECKED_HASH) + importlib.util.source_hash(source)
    return header + marshal.dumps(code)


def pyc_name(source_name: str, python_version: str) -> str:
    """`a/b.py` -> `a/__pycache__/b.cpython-312.pyc`, where CPython `python_version` looks for its bytecode."""
    folder, _, file_name = source_name.rpartition("/")
    tag = "cpython-" + python_version.replace(".", "")
    return f"{folder}/__pycache__/{file_name[:-3]}.{tag}.pyc".lstrip("/")


def find_interpreter(python_version: str) -> Path | None:
    """A CPython `python_version` ("3.12"): this one, else one under pyenv or on PATH; None if there is none."""
    if python_version == f"{sys.version_info.major}.{sys.version_info.minor}":
        return Path(sys.executable)
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    installed = sorted(pyenv_root.glob(f"versions/{python_version}.*/bin/python{python_version}"), reverse=True)
    on_path = shutil.which(f"python{python_version}")
    for candidate in [*installed, *([Path(on_path)] if on_path else [])]:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == python_version:
            return candidate
    return None


class Compiler:
    """Compiles for one CPython version, remembering each result by the source's path and digest.

    Another version's interpreter runs as one worker process for the whole build, so that each added
    function costs a round trip, not an interpreter start.
    """

    def __init__(self, python_version: str, interpreter: Path | None) -> None:
        self.python_version = python_version
        self.interpreter = interpreter
        self._done: dict[tuple[str, str], bytes | None] = {}
        self._worker: subprocess.Popen[bytes] | None = None

    @property
    def available(self) -> bool:
        return self.interpreter is not None

    def compiled(self, source: bytes, name: str) -> bytes | None:
        """The pyc of `source`, or None when it does not compile on the target (it ships as source)."""
        key = (name, hashlib.sha256(source).hexdigest())
        if key not in self._done:
            self._done[key] = self._compile(source, name)
        return self._done[key]

    def _compile(self, source: bytes, name: str) -> bytes | None:
        if self.interpreter == Path(sys.executable):
            try:
                return pyc_bytes(source, name)
            except (SyntaxError, ValueError):
                return None
        worker = self._started()
        assert worker.stdin is not None and worker.stdout is not None
        encoded = name.encode()
        worker.stdin.write(_LENGTH.pack(len(encoded)) + encoded + _LENGTH.pack(len(source)) + source)
        worker.stdin.flush()
        return _read_message(worker.stdout) or None

    def _started(self) -> subprocess.Popen[bytes]:
        if self._worker is None or self._worker.poll() is not None:
            assert self.interpreter is not None
            self._worker = subprocess.Popen(
                [str(self.interpreter), "-I", __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            atexit.register(self.close)
        return self._worker

    def close(self) -> None:
        if self._worker is not None:
            if self._worker.stdin is not None:
                self._worker.stdin.close()
            self._worker.wait()
            self._worker = None


_compilers: dict[str, Compiler] = {}


def compiler_for(python_version: str) -> Compiler:
    """The build's compiler for `python_version`; the first time no interpreter is found, a warning says so."""
    compiler = _compilers.get(python_version)
    if compiler is None:
        compiler = _compilers[python_version] = Compiler(python_version, find_interpreter(python_version))
        if not compiler.available:
            warnings.warn(
                f"no CPython {python_version} here (not this interpreter, not on PATH, not under pyenv): archives "
                f"for Python {python_version} ship source only, and each cold start compiles it; install CPython "
                f"{python_version} (e.g. pyenv install {python_version}) to ship bytecode",
                stacklevel=2,
            )
    return compiler


def with_bytecode(entries: Mapping[str, Path | bytes], python_version: str) -> dict[str, Path | bytes]:
    """`entries` plus the target's pyc of each `.py` entry (none when the target has no interpreter here)."""
    compiler = compiler_for(python_version)
    result = dict(entries)
    if not compiler.available:
        return result
    for name, content in entries.items():
        if name.endswith(".py"):
            pyc = compiler.compiled(content if isinstance(content, bytes) else content.read_bytes(), name)
            if pyc is not None:
                result[pyc_name(name, python_version)] = pyc
    return result


def _read_message(stream: IO[bytes]) -> bytes:
    (length,) = _LENGTH.unpack(stream.read(_LENGTH.size))
    return stream.read(length)


def _serve() -> None:
    """The worker: read (name, source) pairs on stdin, answer each with its pyc, or empty if it does not compile."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while header := stdin.read(_LENGTH.size):
        name = stdin.read(_LENGTH.unpack(header)[0]).decode()
        source = _read_message(stdin)
        try:
            reply = pyc_bytes(source, name)
        except (SyntaxError, ValueError):
            reply = b""
        stdout.write(_LENGTH.pack(len(reply)) + reply)
        stdout.flush()


if __name__ == "__main__":
    _serve()
