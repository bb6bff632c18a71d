"""`python -m portable`: the `portable` command (new, dev, invoke, preview, data).

A developer tool: the command lives in `providers/cli/`, loaded here inside a function, so that importing
`portable` never reaches `providers/`.
"""

from __future__ import annotations

import sys


def main() -> int:
    from providers.cli.main import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
