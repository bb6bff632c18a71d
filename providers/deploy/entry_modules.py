"""The entry module a deployment archive carries: generated per function, it binds the function once, when the
platform imports it, so that no call looks the function up again (deploy time only; its text is fixed by the
function's name and module, so archives stay byte-identical between builds).

On AWS it is `portable_entry.py`, whose `handler` Lambda calls; on GCP it is `main.py`, whose target named
after the function functions-framework serves.
"""

from __future__ import annotations

from portable.app import FunctionSpec

AWS_MODULE = "portable_entry"
AWS_HANDLER = f"{AWS_MODULE}.handler"
GCP_MODULE = "main"


def aws_entry(spec: FunctionSpec) -> str:
    """The source of `portable_entry.py` for `spec`."""
    return (
        f'"""The Lambda entry point of function {spec.name!r}, bound once, when Lambda imports this module."""\n'
        "\n"
        "from providers.aws.runtime import bind\n"
        "\n"
        f"handler = bind({spec.name!r}, {spec.module!r})\n"
    )


def gcp_entry(spec: FunctionSpec) -> str:
    """The source of `main.py` for `spec` (a function's name may hold '-', so the target is set by name)."""
    return (
        f'"""The functions-framework target of function {spec.name!r}, bound once, at import."""\n'
        "\n"
        "from providers.gcp.runtime import target\n"
        "\n"
        f"globals()[{spec.name!r}] = target({spec.name!r}, {spec.module!r})\n"
    )
