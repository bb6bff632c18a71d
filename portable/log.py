"""One JSON object per line on stderr: what Cloud Logging and CloudWatch both parse."""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def log(severity: str, message: str, **fields: Any) -> None:
    record = {"severity": severity, "message": message, "time": round(time.time(), 3)}
    record.update({key: value for key, value in fields.items() if value is not None})
    sys.stderr.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")
    sys.stderr.flush()


def info(message: str, **fields: Any) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    log("ERROR", message, **fields)
