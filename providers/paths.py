"""Where the project lives: the folder holding `portable/`, `providers/` and `main.py` (the functions-framework
entry points). One home for runtime and deploy code alike."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MAIN_PY = PROJECT_ROOT / "main.py"
