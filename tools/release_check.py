"""The release check (`./dev release`, run by CI): what a user of a release gets must work.

1. Build the sdist and the wheel with `python -m build` into dist/, and check them with `twine check --strict`.
2. Install the wheel into a fresh virtualenv, as `pip install portable-serverless` would, and check its name,
   version (`portable --version`), licence files, both packages' `py.typed` and the API explorer's Swagger UI.
3. Scaffold an app with that install's `portable new`, and run the app's own `./dev test` with a PATH that holds
   no Node (so no emulator can start): it must pass, and say nothing but pytest's dots and summary (a newcomer's
   first run once printed 123 lines of setuptools warnings).

Each step is timed. Exit status 0 when every step passed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
DISTRIBUTION = "portable-serverless"
# What an app's ./dev runs besides Python and uv; Node is deliberately absent.
APP_TOOLS = ("bash", "dirname", "env", "sed", "touch", "tr")
# The local dashboard's page, served from the installed package.
DASHBOARD_FILES = ("index.html", "dashboard.js", "dashboard.css")
# What `pytest -q` says when all is well: its progress lines, and its summary.
_PROGRESS = re.compile(r"[.sx]+ +\[ *\d+%\]")
_SUMMARY = re.compile(r"\d+ passed(, \d+ (skipped|xfailed|deselected))* in [\d.]+s( \(\d+:\d\d:\d\d\))?")


class Failed(Exception):
    pass


def run(step: str, command: list[str], cwd: Path, env: dict[str, str] | None = None, *, both: bool = False) -> str:
    """The command's output (with `both`, stderr after stdout); Failed when it fails."""
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    print(f"{time.monotonic() - started:6.1f} s  {step}", flush=True)
    if done.returncode != 0:
        raise Failed(f"{step} failed: {' '.join(command)}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done.stdout + done.stderr if both else done.stdout


def uv() -> str:
    found = shutil.which("uv", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        raise Failed("the release check needs uv: run it through ./dev release, which sets up .venv")
    return found


def build() -> tuple[Path, Path]:
    shutil.rmtree(DIST, ignore_errors=True)
    # setuptools leaves these in the checkout; the tests would then see an installed-looking distribution
    leftovers = [path for path in (ROOT / "build", ROOT / "portable_serverless.egg-info") if not path.exists()]
    try:
        run("build the sdist and the wheel", [sys.executable, "-m", "build", "--installer", "uv", "--outdir",
            str(DIST)], ROOT)  # fmt: skip
    finally:
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    stem = f"{DISTRIBUTION.replace('-', '_')}-{version}"
    wheel, sdist = DIST / f"{stem}-py3-none-any.whl", DIST / f"{stem}.tar.gz"
    if not wheel.is_file() or not sdist.is_file():
        raise Failed(f"expected {wheel.name} and {sdist.name} in dist/, found {sorted(p.name for p in DIST.iterdir())}")
    run("twine check --strict", [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)], ROOT)
    with zipfile.ZipFile(wheel) as opened:
        names = set(opened.namelist())
    wanted = {"portable/py.typed", "providers/py.typed", f"{stem}.dist-info/licenses/LICENSE",
              f"{stem}.dist-info/licenses/NOTICE", "providers/cli/template/dev.tmpl",
              "providers/local/explorer/index.html", "providers/local/explorer/swagger-ui-bundle.js",
              "providers/local/explorer/LICENSE",
              *(f"providers/local/dashboard/{page}" for page in DASHBOARD_FILES)}  # fmt: skip
    if not wanted <= names:
        raise Failed(f"the wheel lacks {sorted(wanted - names)}")
    strays = sorted(name for name in names if name.split("/")[0] in ("tests", "functions", "bench", "tools", "docs"))
    if strays:
        raise Failed(f"the wheel holds what is not the framework: {strays[:5]}")
    return wheel, sdist


def install(wheel: Path, folder: Path) -> Path:
    venv = folder / "venv"
    run("make a fresh virtualenv", [uv(), "venv", "--quiet", "--no-config", "--python", sys.executable, str(venv)],
        folder)  # fmt: skip
    run("install the wheel", [uv(), "pip", "install", "--quiet", "--no-config", "--python", str(venv / "bin/python"),
        str(wheel)], folder)  # fmt: skip
    shown = run("portable --version", [str(venv / "bin" / "portable"), "--version"], folder).strip()
    version = wheel.name.split("-")[1]
    if shown != f"portable {version}":
        raise Failed(f"portable --version printed {shown!r}, not 'portable {version}'")
    return venv


def app_tests(venv: Path, folder: Path) -> None:
    run("portable new", [str(venv / "bin" / "portable"), "new", "notes"], folder)
    app = folder / "notes"
    if f"{DISTRIBUTION} @ " not in (app / "requirements-dev.txt").read_text():
        raise Failed("the new app's requirements-dev.txt does not pin portable-serverless")
    tools = folder / "bin"
    tools.mkdir()
    for name in APP_TOOLS:
        found = shutil.which(name)
        if found is None:
            raise Failed(f"{name} is not on PATH")
        (tools / name).symlink_to(found)
    (tools / "python3").symlink_to(sys.executable)
    (tools / "uv").symlink_to(uv())
    hidden = ("PATH", "VIRTUAL_ENV", "PYTHONPATH", "PORTABLE_LOCAL_DIR")
    env = {**{name: value for name, value in os.environ.items() if name not in hidden}, "PATH": str(tools)}
    if shutil.which("node", path=env["PATH"]) or shutil.which("npm", path=env["PATH"]):
        raise Failed("Node is reachable on the app's PATH")
    command = ["./dev", "test", "-q", "-p", "no:cacheprovider"]
    tested = run("the new app's first ./dev test, without Node", command, app, env, both=True)
    if " passed" not in tested or " failed" in tested:
        raise Failed(f"the new app's tests did not pass:\n{tested}")
    noise = unclean_lines(tested)
    if noise:
        raise Failed(
            "the new app's first ./dev test said more than pytest's dots and summary:\n" + "\n".join(noise[:20])
        )


def unclean_lines(output: str) -> list[str]:
    """The lines of `pytest -q` output that are neither its progress nor its summary (warnings, installers' chatter)."""
    return [line for line in output.splitlines() if line.strip() and not _clean(line.strip())]


def _clean(line: str) -> bool:
    return bool(_PROGRESS.fullmatch(line) or _SUMMARY.fullmatch(line))


def main() -> int:
    try:
        wheel, _ = build()
        with tempfile.TemporaryDirectory(prefix="portable-release-") as scratch:
            venv = install(wheel, Path(scratch))
            app_tests(venv, Path(scratch))
    except Failed as failure:
        print(f"release check: {failure}", file=sys.stderr)
        return 1
    print(f"release check passed: {', '.join(sorted(path.name for path in DIST.iterdir()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
