"""The local runner under load: `POST /hello` from many concurrent clients, against a bare functions-framework app.

    .venv/bin/python -m bench.runner_load              # about 2 minutes on 2 shared cores
    .venv/bin/python -m bench.runner_load --quick      # a smoke run: figures too noisy to quote

Both servers serve the reference app's `hello` (functions/hello.py: a table write and a topic publish per call)
on local data, each in a state folder of its own under a temporary directory: the runner as `portable dev
--no-reload` serves it (routing, its console line, the relay and the delivery workers that carry each greeting
to the topic's subscribers), and functions-framework alone, under its own gunicorn server, as Cloud Functions
runs the GCP shim. The rounds take turns, so that noise from a shared machine hits both sides alike. Each round
is CLIENTS clients, each with a keep-alive connection, sending REQUESTS calls one after another; the runner's
rounds also upload UPLOADS images through the control endpoint meanwhile (each makes a thumbnail).

Then, the runner only: its resident memory once warm, and again after every 2,000 of RSS_REQUESTS more calls.
Finally every greeting answered 200 must be in the runner's `greetings` table: nothing lost. Nothing here is a
test with a time limit; the figures are printed for bench/RESULTS.md, with the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL = {"clients": 50, "requests": 40, "rounds": 5, "uploads": 100, "rss_requests": 20_000, "warm_requests": 2_000}
QUICK = {"clients": 20, "requests": 10, "rounds": 1, "uploads": 10, "rss_requests": 1_000, "warm_requests": 200}
RSS_SAMPLE_EVERY = 2_000
_URL = re.compile(rb"Portable local: (http://\S+)")


@dataclass
class Round:
    """One round of calls on one side: each call's seconds, how many failed, how long the round took, and the CPU
    seconds the server used meanwhile."""

    side: str
    latencies: list[float]
    failures: int
    seconds: float
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Client:
    """One keep-alive HTTP/1.1 connection, one request at a time (enough for a JSON API; no chunked replies)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, method: str, path: str, body: bytes, content_type: str = "application/json") -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        await self.reader.readexactly(length)
        if close:
            self.close()
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _client_calls(port: int, client_id: int, count: int, latencies: list[float]) -> int:
    client, failures = Client(port), 0
    body = json.dumps({"name": f"client-{client_id}"}).encode()
    for _ in range(count):
        started = time.perf_counter()
        try:
            status = await client.call("POST", "/hello", body)
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            status = 0
            client.close()
        latencies.append(time.perf_counter() - started)
        failures += status != 200
    client.close()
    return failures


async def _uploads(port: int, count: int, image: bytes, offset: int) -> int:
    client, failures = Client(port), 0
    for number in range(count):
        path = f"/__portable/objects/uploads/load/{offset + number}.png"
        try:
            failures += await client.call("PUT", path, image, "image/png") != 201
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            failures += 1
            client.close()
    client.close()
    return failures


async def _round(side: str, port: int, clients: int, requests: int, uploads: int, offset: int) -> Round:
    latencies: list[float] = []
    started = time.perf_counter()
    calls = [_client_calls(port, client, requests, latencies) for client in range(clients)]
    extra = [_uploads(port, uploads, _image(), offset)] if uploads else []
    outcomes = await asyncio.gather(*calls, *extra)
    return Round(side, latencies, sum(outcomes), time.perf_counter() - started)


def _image() -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 120, 40)).save(output, format="PNG")
    return output.getvalue()


@contextmanager
def runner(state: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`portable dev --no-reload` on a free port, serving the reference app on the state folder `state`."""
    env = {**os.environ, "PORTABLE_LOCAL_DIR": str(state)}
    command = [sys.executable, "-m", "providers.local", "--no-reload", "--no-schedules", "--port", "0"]
    log = (state.parent / f"{state.name}.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield _port_from_log(state.parent / f"{state.name}.log", process), process
    finally:
        _ended(process)
        log.close()


@contextmanager
def bare_functions_framework(state: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """functions-framework alone serving `hello` through the GCP shim on local data, as Cloud Functions runs it."""
    port = _free_port()
    env = {
        **os.environ,
        "PORTABLE_LOCAL_DIR": str(state),
        "PORTABLE_PROVIDER": "local",
        "PORTABLE_FUNCTION": "hello",
        "PORTABLE_MODULE": "functions.hello",
    }
    command = [sys.executable, "-m", "functions_framework", "--target", "hello", "--source", "main.py"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process)
        yield port, process
    finally:
        _ended(process)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listened on port {port} within 30 s")


def _port_from_log(log: Path, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = _URL.search(log.read_bytes())
        if found:
            return int(found[1].decode().rsplit(":", 1)[1])
        if process.poll() is not None:
            raise SystemExit(f"the runner exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise SystemExit("the runner did not say where it listens within 30 s")


def _ended(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_mib(pid: int) -> float:
    """The resident memory of process `pid`, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) of process `pid` and of every process under it, so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, children = 0.0, {pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) in children:
            children.add(int(stat.parent.name))
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def waiting_deliveries(state: Path) -> int:
    import sqlite3

    path = state / "deliveries.sqlite3"
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=30) as connection:
        count: int = connection.execute("SELECT count(*) FROM deliveries").fetchone()[0]
        return count


def dead_letters(state: Path) -> int:
    return len(list((state / "dead-letters").glob("*/*.json")))


def greetings_stored(state: Path) -> int:
    import sqlite3

    path = next((state / "tables").glob("*greetings*.sqlite3"))
    with sqlite3.connect(path) as connection:
        count: int = connection.execute("SELECT count(*) FROM items").fetchone()[0]
        return count


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _summary(rounds: list[Round]) -> dict[str, float]:
    return {
        "req/s": statistics.median(r.rate for r in rounds),
        "p50 ms": statistics.median(r.percentile(0.50) for r in rounds) * 1000,
        "p99 ms": statistics.median(r.percentile(0.99) for r in rounds) * 1000,
        "max ms": max(max(r.latencies) for r in rounds) * 1000,
        "failures": sum(r.failures for r in rounds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runner_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, too small to quote")
    parser.add_argument("--clients", type=int, help="concurrent clients (default 50)")
    parser.add_argument("--requests", type=int, help="calls per client per round (default 40)")
    parser.add_argument("--rounds", type=int, help="rounds per side (default 5)")
    args = parser.parse_args(argv)
    plan = dict(QUICK if args.quick else FULL)
    plan.update({name: value for name in ("clients", "requests", "rounds") if (value := getattr(args, name))})
    print(f"load average before: {load_average()}", flush=True)
    results: dict[str, list[Round]] = {"runner": [], "functions-framework": []}
    with tempfile.TemporaryDirectory(prefix="portable-load-") as folder:
        runner_state, bare_state = Path(folder) / "runner", Path(folder) / "bare"
        with runner(runner_state) as (runner_port, process), bare_functions_framework(bare_state) as (bare_port, bare):
            sides = {"runner": runner_port, "functions-framework": bare_port}
            warm = {side: asyncio.run(_round(side, port, 10, 20, 0, 0)) for side, port in sides.items()}
            pids = {"runner": process.pid, "functions-framework": bare.pid}
            for number in range(plan["rounds"]):
                for side, port in sides.items():
                    uploads = plan["uploads"] if side == "runner" else 0
                    cpu = cpu_seconds(pids[side])
                    done = asyncio.run(_round(side, port, plan["clients"], plan["requests"], uploads, number * 1000))
                    done.cpu = cpu_seconds(pids[side]) - cpu
                    results[side].append(done)
                    print(
                        f"round {number + 1} {side}: {done.rate:.0f} req/s, p50 {done.percentile(0.5) * 1000:.0f} ms,"
                        f" p99 {done.percentile(0.99) * 1000:.0f} ms, {done.failures} failed",
                        flush=True,
                    )
            rss, rss_rounds = _rss_run(runner_port, process.pid, plan)
            every = [warm["runner"], *results["runner"], *rss_rounds]
            answered = sum(len(r.latencies) - r.failures for r in every)
            stored = greetings_stored(runner_state)
            drained = _drained(runner_state)
            letters = dead_letters(runner_state)
    _report(plan, results, rss, answered, stored)
    print(
        f"events the greetings caused (count, welcome, note), the uploads' thumbnails: all delivered "
        f"{drained:.0f} s after the last call, {letters} dead-lettered"
        if drained >= 0
        else f"events still waiting {DRAIN_SECONDS} s after the last call: {waiting_deliveries(runner_state)}"
    )
    return 0


DRAIN_SECONDS = 600


def _drained(state: Path) -> float:
    """Seconds until the runner's delivery queue is empty after the load; -1 if it is not within DRAIN_SECONDS."""
    started = time.monotonic()
    while waiting_deliveries(state):
        if time.monotonic() - started > DRAIN_SECONDS:
            return -1
        time.sleep(1)
    return time.monotonic() - started


def _rss_run(port: int, pid: int, plan: dict[str, int]) -> tuple[list[tuple[int, float]], list[Round]]:
    """The runner's RSS once warm, then after every RSS_SAMPLE_EVERY more calls; and the rounds it took."""
    rounds = [asyncio.run(_round("runner", port, plan["clients"], plan["warm_requests"] // plan["clients"], 0, 0))]
    samples = [(0, rss_mib(pid))]
    sent, step = 0, min(RSS_SAMPLE_EVERY, plan["rss_requests"])
    while sent < plan["rss_requests"]:
        rounds.append(asyncio.run(_round("runner", port, plan["clients"], step // plan["clients"], 0, 0)))
        sent += step // plan["clients"] * plan["clients"]
        samples.append((sent, rss_mib(pid)))
    return samples, rounds


def _report(
    plan: dict[str, int], results: dict[str, list[Round]], rss: list[tuple[int, float]], answered: int, stored: int
) -> None:
    print(
        f"\n{plan['clients']} clients x {plan['requests']} calls of POST /hello, {plan['rounds']} rounds per side "
        f"(the runner's with {plan['uploads']} uploads each); medians of the rounds:"
    )
    print("| side | req/s | p50 | p99 | max | failed | CPU per call |\n| --- | --- | --- | --- | --- | --- | --- |")
    for side, rounds in results.items():
        figures = _summary(rounds)
        cpu = sum(r.cpu for r in rounds) / sum(len(r.latencies) for r in rounds) * 1000
        print(
            f"| {side} | {figures['req/s']:.0f} | {figures['p50 ms']:.0f} ms | {figures['p99 ms']:.0f} ms | "
            f"{figures['max ms']:.0f} ms | {figures['failures']:.0f} | {cpu:.1f} ms |"
        )
    ratio = _summary(results["runner"])["p99 ms"] / _summary(results["functions-framework"])["p99 ms"]
    print(f"p99, runner / functions-framework: {ratio:.2f}x")
    start, peak, end = rss[0][1], max(mib for _, mib in rss), rss[-1][1]
    print(
        f"runner RSS over {rss[-1][0]:,} calls once warm: {start:.1f} MiB at the start, {end:.1f} MiB at the end, "
        f"{peak:.1f} MiB at most (growth {end - start:+.1f} MiB); samples: " + ", ".join(f"{mib:.1f}" for _, mib in rss)
    )
    lost = answered - stored
    print(f"greetings answered 200 by the runner: {answered:,}; in its table: {stored:,} ({lost} lost)")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    sys.exit(main())
