"""Deployment archives: deterministic bytes, exactly the right files, wheels for the target platform."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from portable import load_app
from portable.app import App
from providers.aws.deploy.package import WheelTarget
from providers.aws.deploy.package import build_archive as build_lambda_archive
from providers.deploy import bytecode
from providers.deploy.lock import read_lock
from providers.gcp.deploy.package import build_archive as build_gcp_archive
from tests.support.archive_contents import deploy_entries, entry_names
from tests.support.mocks import APPS

LAMBDA_312 = WheelTarget.for_lambda("3.12", "x86_64")


@pytest.fixture(scope="module")
def sample() -> App:
    return load_app("sampleapp", str(APPS))


@pytest.mark.parametrize("function", ["hello", "make_thumbnail", "nightly_report"])
def test_two_builds_are_byte_identical(
    sample: App,
    tmp_path: Path,
    function: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = sample.functions[function]
    first = build_lambda_archive(spec, LAMBDA_312, tmp_path / "one")
    first_gcp = build_gcp_archive(spec, sample.resources, "3.12", tmp_path / "one")
    monkeypatch.setattr(bytecode, "_compilers", {})  # the second build compiles its bytecode again
    second = build_lambda_archive(spec, LAMBDA_312, tmp_path / "two")
    second_gcp = build_gcp_archive(spec, sample.resources, "3.12", tmp_path / "two")
    assert first.read_bytes() == second.read_bytes()
    assert first_gcp.read_bytes() == second_gcp.read_bytes()


def test_entries_are_sorted_with_fixed_time_and_mode(sample: App, tmp_path: Path) -> None:
    archive = build_lambda_archive(sample.functions["hello"], LAMBDA_312, tmp_path)
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_lambda_archive_holds_the_aws_shim_portable_and_only_its_module(sample: App, tmp_path: Path) -> None:
    entries = entry_names(build_lambda_archive(sample.functions["hello"], LAMBDA_312, tmp_path))
    assert {
        "providers/aws/runtime.py",
        "portable/__init__.py",
        "portable/app.py",
        "sampleapp/__init__.py",
        "sampleapp/web.py",
    } <= set(entries)
    assert "sampleapp/media.py" not in entries
    assert not [name for name in entries if name.startswith(("providers/gcp", "providers/local", "pulumi"))]
    assert deploy_entries(entries) == []


def test_gcp_archive_holds_main_py_the_gcp_shim_and_a_requirements_file(sample: App, tmp_path: Path) -> None:
    archive = build_gcp_archive(sample.functions["make_thumbnail"], sample.resources, "3.12", tmp_path)
    entries = entry_names(archive)
    assert {"main.py", "requirements.txt", "providers/gcp/runtime.py", "portable/app.py", "sampleapp/media.py"} <= set(
        entries
    )
    assert not [name for name in entries if name.startswith(("providers/aws", "providers/local"))]
    assert deploy_entries(entries) == []


@pytest.mark.slow
def test_lambda_wheels_are_for_the_lambda_platform_and_only_where_declared(tmp_path: Path) -> None:
    """Needs PyPI the first time; the installed set is cached under .portable/cache afterwards."""
    app = load_app("wheelapp", str(APPS))
    shrink = entry_names(build_lambda_archive(app.functions["shrink"], LAMBDA_312, tmp_path))
    compiled = [name for name in shrink if name.startswith("PIL/_imaging.") and name.endswith(".so")]
    assert compiled == ["PIL/_imaging.cpython-312-x86_64-linux-gnu.so"]
    assert {name.split("/")[0] for name in shrink if ".dist-info/" in name} == {
        f"pillow-{read_lock().pins['pillow'].version}.dist-info"
    }
    plain = entry_names(build_lambda_archive(app.functions["plain"], LAMBDA_312, tmp_path))
    assert not [name for name in plain if name.startswith(("PIL", "pillow"))]
    assert "wheelapp/images.py" not in plain


@pytest.mark.slow
def test_wheels_installed_twice_by_uv_give_byte_identical_archives(tmp_path: Path) -> None:
    """Each build installs Pillow for Lambda afresh, into a cache of its own; the archives are the same bytes."""
    shrink = load_app("wheelapp", str(APPS)).functions["shrink"]
    first = build_lambda_archive(shrink, LAMBDA_312, tmp_path / "one", cache_dir=tmp_path / "cache-one")
    second = build_lambda_archive(shrink, LAMBDA_312, tmp_path / "two", cache_dir=tmp_path / "cache-two")
    with zipfile.ZipFile(first) as opened:
        installer = opened.read(f"pillow-{read_lock().pins['pillow'].version}.dist-info/INSTALLER")
    assert installer.strip() == b"uv"
    assert first.read_bytes() == second.read_bytes()
