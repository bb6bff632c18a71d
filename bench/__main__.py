"""The bench: Portable against hand-written handlers and its peers, in one run, on each Python version.

    .venv/bin/python -m bench            # about 8 minutes on 2 shared cores
    .venv/bin/python -m bench --quick    # a smoke run: a few rounds, figures too noisy to quote

For each Python version (3.11 and 3.12, each a CPython on PATH or under pyenv) it makes a virtualenv
under .portable/bench/ holding bench/requirements.txt (Chalice, Powertools, Mangum with Starlette,
functions-framework, Pydantic; never installed into .venv), builds the Lambda archives of bench/app/ as a
deploy does (bytecode for that version), unpacks them, and runs bench/measure.py there. The typed handlers
(greet_typed with dataclasses, greet_pydantic with Pydantic models) are measured against greet, the same
handler untyped, per call and from a cold start. Then it times
the deploy build under Pulumi's mocks, and prints one table: medians, the spread (10th to 90th
percentile of the rounds) and the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portable.loading import load_app  # noqa: E402 (the checkout's, wherever the bench is run from)
from providers.aws.deploy.package import WheelTarget, build_archive  # noqa: E402
from providers.deploy.bytecode import find_interpreter, with_bytecode  # noqa: E402
from providers.deploy.packaging import write_archive  # noqa: E402

REQUIREMENTS = ROOT / "bench" / "requirements.txt"
VENVS = ROOT / ".portable" / "bench"
VERSIONS = ("3.11", "3.12")
KINDS = {
    "http": "greet",
    "http-typed": "greet_typed",
    "http-pydantic": "greet_pydantic",
    "object": "uploaded",
    "schedule": "tick",
    "message": "noted",
    "change": "changed",
    "message-once": "noted_once",
    "message-metered": "noted_metered",
    "message-traced": "noted_traced",
}
FULL = {"calls": 2000, "rounds": 15, "runs": 20, "memory_calls": 10000, "deploy_sizes": (4, 14, 24), "deploy_rounds": 3}
QUICK = {"calls": 200, "rounds": 3, "runs": 3, "memory_calls": 10000, "deploy_sizes": (2, 3, 4), "deploy_rounds": 1}


def bench_venv(version: str) -> Path:
    """A virtualenv of CPython `version` holding bench/requirements.txt, made once per requirements."""
    python = find_interpreter(version)
    if python is None:
        raise SystemExit(
            f"no CPython {version} here (not on PATH, not under pyenv): install it, e.g. "
            f"pyenv install {version}, or pass --python with the versions you have"
        )
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + str(python).encode()).hexdigest()[:12]
    venv = VENVS / f"{version}-{key}"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", venv], check=True)
        installed = subprocess.run(
            [
                venv / "bin" / "python",
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                REQUIREMENTS,
            ],
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0:
            raise SystemExit(f"pip could not install {REQUIREMENTS} for Python {version}:\n{installed.stderr[-2000:]}")
        (venv / ".complete").touch()
    return venv / "bin" / "python"


def shipped(version: str, into: Path) -> dict[str, str]:
    """Each kind's Lambda archive unpacked as Lambda unpacks it; also the HTTP one without its bytecode, and the
    hand-written handler with its own."""
    app = load_app("bench.app", str(ROOT))
    target = WheelTarget.for_lambda(version, "x86_64")
    folders: dict[str, str] = {}
    for kind, function in KINDS.items():
        archive = build_archive(app.functions[function], target, into / "build")
        folders[kind] = _unpacked(archive, into / kind)
    source_only = Path(shutil.copytree(folders["http"], into / "http-source"))
    for cache in list(source_only.rglob("__pycache__")):
        shutil.rmtree(cache)
    folders["http-source"] = str(source_only)
    baseline = with_bytecode({"baseline_lambda.py": ROOT / "bench" / "baseline_lambda.py"}, version)
    folders["hand-written"] = _unpacked(write_archive(baseline, into / "build", "hand-written"), into / "hand-written")
    return folders


def _unpacked(archive: Path, folder: Path) -> str:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    return str(folder)


def measure(version: str, settings: dict[str, Any]) -> dict[str, Any]:
    python = bench_venv(version)
    with tempfile.TemporaryDirectory(prefix=f"bench-{version}-") as temporary:
        plan = Path(temporary) / "plan.json"
        plan.write_text(json.dumps({**settings, "archives": shipped(version, Path(temporary))}))
        done = subprocess.run([python, ROOT / "bench" / "measure.py", plan], capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"bench/measure.py failed on Python {version}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


APP_MODULE = """from portable import Request, http


@http("GET /f{index}")
def f{index}(request: Request) -> dict[str, str]:
    return {{"path": request.path}}
"""


def deploy_seconds(functions: int, stack: str, folder: Path) -> float:
    """The Pulumi program under mocks (load, check, build every archive, register) for an app of `functions`."""
    from providers.deploy.preview import run_program

    package = f"deploybench_{stack}_{functions}"
    (folder / package).mkdir(parents=True)
    (folder / package / "__init__.py").write_text("")
    for index in range(functions):
        (folder / package / f"f{index}.py").write_text(APP_MODULE.format(index=index))
    config = {"aws:region": "us-east-1"} if stack == "aws" else {"gcp:project": "bench", "gcp:region": "europe-west1"}
    started = time.perf_counter()
    run_program(stack, {**config, "portable:pythonVersion": "3.12"}, package=package, search_path=str(folder))
    return time.perf_counter() - started


def deploy_build(sizes: tuple[int, ...], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per added function between consecutive app sizes: equal slopes mean a linear build.

    Each size is built `rounds` times, the sizes taking turns; the median of each size's times is its figure.
    """
    slopes: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as temporary:
        for stack in ("aws", "gcp"):
            deploy_seconds(1, stack, Path(temporary) / "warm")  # compiles portable/ and the shim once
            times: dict[int, list[float]] = {size: [] for size in sizes}
            for round_ in range(rounds):
                for size in sizes:
                    times[size].append(deploy_seconds(size, stack, Path(temporary) / str(round_)))
            seconds = [statistics.median(times[size]) for size in sizes]
            slopes[stack] = [
                1000 * (seconds[index + 1] - seconds[index]) / (sizes[index + 1] - sizes[index])
                for index in range(len(sizes) - 1)
            ]
    return slopes


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{platform.machine()}, {os.cpu_count()} cores ({model}), load {load}, {platform.system()}"


def _cell(entry: dict[str, Any], unit: str) -> str:
    ratio, extra = entry["ratio"], entry["extra"]
    scale, suffix = {"us": (1e6, "us"), "ms": (1e3, "ms"), "MiB": (1 / 2**20, "MiB")}[unit]
    return f"{ratio['median']:.2f}x ({ratio['low']:.2f}-{ratio['high']:.2f}), {extra['median'] * scale:+.1f} {suffix}"


def table(results: dict[str, dict[str, Any]], slopes: dict[str, list[float]]) -> str:
    versions = list(results)
    rows = [
        ("| measure | side | " + " | ".join(f"Python {results[v]['python']}" for v in versions) + " |"),
        "| --- | --- | " + " | ".join("---" for _ in versions) + " |",
    ]

    def add(measure: str, group: str, unit: str) -> None:
        for side in results[versions[0]][group]:
            if side == next(iter(results[versions[0]][group])) and group not in ("cold", "memory"):
                continue  # the baseline of a per-call group: 1.00x by definition
            cells = [_cell(results[v][group][side], unit) for v in versions]
            rows.append(f"| {measure} | {side} | " + " | ".join(cells) + " |")

    add("per call, API Gateway 2.0 (x hand-written)", "http", "us")
    add("per call, S3 notification (x hand-written)", "s3", "us")
    add("per call, EventBridge Scheduler (x hand-written)", "schedule", "us")
    add("per call, SQS batch of one (x hand-written)", "message", "us")
    add("per call, DynamoDB stream batch of one (x hand-written)", "change", "us")
    add("per call, GCP (x bare functions-framework)", "gcp", "us")
    add("per call, typed handler (x the same handler untyped)", "typing", "us")
    add("cold start, whole process (x bare Python)", "cold", "ms")
    add("cold start, typed handler (x the same handler untyped)", "cold_typing", "ms")
    add("RSS after 10,000 calls (x bare Python)", "memory", "MiB")
    add("per call, SQS batch of one: traces, metrics, idempotency (x the plain message function)", "ops", "us")
    add("per call, the trace work every call does, alone (x the hand-written SQS handler)", "trace_work", "us")
    add("per call, OpenTelemetry configured by the app (x the same function without)", "otel", "us")
    add("cold start, from source on local data (x the plain message function)", "cold_ops", "ms")
    lines = "\n".join(rows)
    deploy = "; ".join(
        f"{stack.upper()} " + " then ".join(f"{ms:.1f} ms" for ms in values) for stack, values in slopes.items()
    )
    return f"{lines}\n\ndeploy build under mocks (CPython 3.12 target), per added function: {deploy}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few rounds only: checks that the bench runs")
    parser.add_argument("--python", nargs="+", default=list(VERSIONS), help="the versions to measure on")
    args = parser.parse_args()
    settings: dict[str, Any] = dict(QUICK if args.quick else FULL)
    started = time.perf_counter()
    results = {version: measure(version, settings) for version in args.python}
    sizes = settings.pop("deploy_sizes")
    deploy_rounds = settings.pop("deploy_rounds")
    slopes = deploy_build(sizes, deploy_rounds)
    print(table(results, slopes))
    print(
        f"\n{machine()}; measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in "
        f"{time.perf_counter() - started:.0f} s; medians, (10th-90th percentile of {settings['rounds']} rounds "
        f"per call, {settings['runs']} cold starts); deploy build between apps of {sizes} functions, the median "
        f"of {deploy_rounds} builds each"
    )


if __name__ == "__main__":
    main()
