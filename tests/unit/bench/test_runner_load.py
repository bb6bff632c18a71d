"""The runner load benchmark's figures (bench/runner_load.py): percentiles and medians of its rounds, the CPU and
memory it reads from /proc. Nothing here is timed: `python -m bench.runner_load` takes the measurements."""

from __future__ import annotations

import os

from bench.runner_load import Round, _summary, cpu_seconds, rss_mib


def test_percentiles_are_read_from_each_rounds_calls() -> None:
    calls = Round("runner", [index / 1000 for index in range(1, 101)], failures=0, seconds=2.0)
    assert (calls.percentile(0.5), calls.percentile(0.99), calls.rate) == (0.051, 0.1, 50.0)


def test_the_summary_takes_medians_of_the_rounds_and_counts_every_failure() -> None:
    rounds = [
        Round("runner", [0.010] * 99 + [0.200], failures=1, seconds=1.0),
        Round("runner", [0.020] * 99 + [0.300], failures=0, seconds=2.0),
        Round("runner", [0.030] * 99 + [0.400], failures=2, seconds=4.0),
    ]
    figures = _summary(rounds)
    assert figures["p50 ms"] == 20.0 and figures["p99 ms"] == 300.0 and figures["max ms"] == 400.0
    assert (figures["req/s"], figures["failures"]) == (50.0, 3)


def test_cpu_and_memory_are_read_for_a_process_and_its_children() -> None:
    assert cpu_seconds(os.getpid()) > 0
    assert 1 < rss_mib(os.getpid()) < 4096
