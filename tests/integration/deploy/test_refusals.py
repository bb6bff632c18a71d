"""Filters that overlap are fine on GCP, where the shim filters: the program builds the stack. The refusals made
before any resource is registered are in tests/unit/providers/deploy/test_program.py."""

from __future__ import annotations

import pytest

from tests.support.mocks import run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


GCP = {"gcp:project": "demo-project", "gcp:region": "europe-west1"}


def test_overlapping_filters_are_fine_on_gcp_where_the_shim_filters() -> None:
    deployment, _ = run_program("gcp", GCP, "overlapping")
    assert {r.name for r in deployment.of_type("gcp:cloudfunctionsv2/function:Function")} == {"index_raw", "index_png"}
