"""A missing Cloud Storage bucket, on the emulator: the portable error names the variable to check. The sorting of
every native failure is in tests/unit/providers/test_data_errors.py."""

from __future__ import annotations

import pytest

from portable import bucket
from portable.errors import NotFound
from tests.backends.fixtures import Backend, providers


@pytest.mark.parametrize("backend", providers("gcp"), indirect=True)
def test_a_missing_cloud_storage_bucket_names_the_variable_to_check(backend: Backend) -> None:
    photos = bucket("error-photos")
    backend.point_at_missing(photos.spec)
    with pytest.raises(NotFound, match=r"deploy the stack, or check PORTABLE_BUCKET_ERROR_PHOTOS$"):
        photos.put("x", b"x")
