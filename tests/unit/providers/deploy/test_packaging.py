"""Archives (providers/deploy/packaging.py): a shim reaching a deploy package is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from portable.errors import AppDefinitionError
from providers.deploy.packaging import shim_entries


@pytest.mark.parametrize(
    ("cloud", "module"),
    [
        ("aws", "providers.deploy.resources"),
        ("aws", "providers.aws.deploy.iam"),
        ("gcp", "providers.gcp.deploy.names"),
    ],
)
def test_a_shim_reaching_a_deploy_package_is_refused(tmp_path: Path, cloud: str, module: str) -> None:
    shim = tmp_path / "shim.py"
    shim.write_text(f"import {module}\n")
    with pytest.raises(AppDefinitionError, match=rf"the {cloud} runtime imports providers\.\S+, which is deploy code"):
        shim_entries(cloud, [], scripts=[shim])
