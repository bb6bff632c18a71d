"""`portable lock` (providers/cli/lock.py): what it asks the resolver for. Resolving for real is in
tests/integration/providers/cli/test_lock.py."""

from __future__ import annotations


def test_lock_asks_for_the_frameworks_cloud_extras_and_leaves_it_out_of_the_lock() -> None:
    from providers.cli.lock import lock_input, without_framework

    asked = lock_input(
        "# mine\nportable-serverless @ file:///somewhere/portable\npytest>=8\nhttpx>=0.27  # for notes\n"
    )
    assert asked == (
        "# mine\nportable-serverless[aws,gcp] @ file:///somewhere/portable\npytest>=8\nhttpx>=0.27  # for notes\n"
    )
    assert lock_input("Portable_Serverless[deploy]==0.1.0\n") == "Portable_Serverless[aws,deploy,gcp]==0.1.0\n"
    assert lock_input("portable==2020.1.6\n") == "portable==2020.1.6\n", "another distribution"
    locked = (
        "anyio==4.16.0             # via httpx\nportable-serverless @ file:///somewhere/portable  # via -r -\n"
        "portable-serverless-extras==1.0  # via -r -\n"
    )
    assert without_framework(locked) == (
        "anyio==4.16.0             # via httpx\nportable-serverless-extras==1.0  # via -r -\n"
    )
