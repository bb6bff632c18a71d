"""Archives ship bytecode for the target runtime: unchecked-hash pycs, loaded without reading the source."""

from __future__ import annotations

import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from portable import load_app
from portable.app import App
from providers.aws.deploy.package import WheelTarget
from providers.aws.deploy.package import build_archive as build_lambda_archive
from providers.deploy import bytecode
from providers.gcp.deploy.package import build_archive as build_gcp_archive
from tests.support.archive_contents import entry_names
from tests.support.mocks import APPS
from tests.support.runtimes import interpreter, unpack

PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import sampleapp.web
print(sampleapp.web.__spec__.cached)
print(hasattr(sampleapp.web, "MARK"))
"""


@pytest.fixture(scope="module")
def sample() -> App:
    return load_app("sampleapp", str(APPS))


def _sources_and_bytecode(names: list[str]) -> tuple[set[str], set[str]]:
    return {name for name in names if name.endswith(".py")}, {name for name in names if name.endswith(".pyc")}


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_every_module_of_a_lambda_archive_has_the_targets_bytecode(sample: App, tmp_path: Path, version: str) -> None:
    interpreter(version)
    archive = build_lambda_archive(sample.functions["hello"], WheelTarget.for_lambda(version, "x86_64"), tmp_path)
    sources, compiled = _sources_and_bytecode(entry_names(archive))
    assert compiled == {bytecode.pyc_name(name, version) for name in sources}
    tag = "cpython-" + version.replace(".", "")
    assert "portable/__pycache__/app." + tag + ".pyc" in compiled


def test_a_gcp_archive_carries_bytecode_for_its_runtime_and_main_py(sample: App, tmp_path: Path) -> None:
    interpreter("3.12")
    archive = build_gcp_archive(sample.functions["hello"], sample.resources, "3.12", tmp_path)
    sources, compiled = _sources_and_bytecode(entry_names(archive))
    assert "main.py" in sources and "__pycache__/main.cpython-312.pyc" in compiled
    assert compiled == {bytecode.pyc_name(name, "3.12") for name in sources}


def test_the_target_interpreter_loads_the_shipped_bytecode_without_checking_the_source(
    sample: App,
    tmp_path: Path,
) -> None:
    """Unchecked hash: once the source changes, the runtime still runs what the deploy compiled."""
    python = interpreter("3.12")
    archive = build_lambda_archive(sample.functions["hello"], WheelTarget.for_lambda("3.12", "x86_64"), tmp_path)
    with zipfile.ZipFile(archive) as opened:
        pyc = opened.read("sampleapp/__pycache__/web.cpython-312.pyc")
    assert struct.unpack("<I", pyc[4:8])[0] == 0b01  # PEP 552: hash-based, unchecked
    root = unpack(archive, tmp_path / "unpacked")
    source = root / "sampleapp" / "web.py"
    source.write_text(source.read_text() + "\nMARK = 'from the source'\n")
    source.chmod(0o444)
    done = subprocess.run([python, "-B", "-c", PROBE, str(root)], capture_output=True, text=True, check=True)
    cached, has_mark = done.stdout.split()
    assert cached == str(root / "sampleapp" / "__pycache__" / "web.cpython-312.pyc")
    assert has_mark == "False"


def test_without_the_targets_interpreter_archives_ship_source_and_the_build_says_so_once(
    sample: App,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bytecode, "_compilers", {})
    monkeypatch.setattr(bytecode, "find_interpreter", lambda version: None)
    with pytest.warns(UserWarning, match=r"no CPython 3\.13 here .* ship source only") as said:
        first = build_lambda_archive(sample.functions["hello"], WheelTarget.for_lambda("3.13", "x86_64"), tmp_path)
        build_gcp_archive(sample.functions["hello"], sample.resources, "3.13", tmp_path)
    assert len(said) == 1
    sources, compiled = _sources_and_bytecode(entry_names(first))
    assert "portable/app.py" in sources and compiled == set()
