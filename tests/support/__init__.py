"""Helpers the tests of every tier share (no tests here): packages made on the fly (`packages.py`), what the test
apps record (`recording.py`), one HTTP call through every target (`targets.py`), seeded payload mutations
(`mutations.py`), message traffic (`messaging_traffic.py`), and the deploy tests' Pulumi mocks, the project's own
stacks, unpacked archives and real runtimes (`mocks.py`, `project.py`, `archive_contents.py`, `runtimes.py`)."""
