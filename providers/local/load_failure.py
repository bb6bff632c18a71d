"""An app that failed to load (a syntax error, an import error, a refused declaration), as the local runner
shows it until the code is fixed: every HTTP call answers 500 naming the file, line and message, and the
dashboard (`/__portable/`) shows it.

A page calling the API from another origin must be able to read that error: the runner keeps the CORS policy of
the last App that loaded in the state folder, and answers by it (preflights included) while the App cannot load."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portable.cors_policy import Cors, from_environment, is_preflight, to_environment
from portable.delivery import new_request_id
from portable.replies import HttpReply, preflight_reply, with_cors
from providers.local.wsgi import Environ, StartResponse, environ_headers, error, send
from providers.paths import FRAMEWORK_ROOT, PROJECT_ROOT

if TYPE_CHECKING:
    from providers.local.console import Console

_FRAMEWORK = (FRAMEWORK_ROOT / "portable", FRAMEWORK_ROOT / "providers")
_PLACE_IN_MESSAGE = re.compile(r"([\w./\\-]+\.py):(\d+)")
_CORS_FILE = "last-cors.json"


def remember_cors(root: Path, policy: Cors | None) -> None:
    """Keep the CORS policy of the App that just loaded in the state folder `root`, for its error page to come."""
    path = root / _CORS_FILE
    if policy is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_environment(policy))


def remembered_cors(root: Path) -> Cors | None:
    """The CORS policy of the last App that loaded with this state folder, if any did."""
    try:
        return from_environment((root / _CORS_FILE).read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class LoadFailure:
    """What went wrong, and where in the app's own code (`file` relative to the project, when it is inside)."""

    type: str
    message: str
    file: str | None
    line: int | None
    traceback: str

    @classmethod
    def of(cls, exc: BaseException, root: Path = PROJECT_ROOT) -> LoadFailure:
        """The failure `exc`, placed in the innermost line of the app's files (under `root`) it passed through."""
        text = "".join(traceback.format_exception(exc))
        if isinstance(exc, SyntaxError) and exc.filename:
            return cls(type(exc).__name__, exc.msg, shown_path(exc.filename, root), exc.lineno, text)
        place = _last_app_frame(exc, root)
        if place is None and (found := _PLACE_IN_MESSAGE.search(str(exc))):
            place = found[1], int(found[2])
        file, line = place if place else (None, None)
        return cls(type(exc).__name__, str(exc), shown_path(file, root) if file else None, line, text)

    def summary(self) -> str:
        where = f"{self.file}, line {self.line}: " if self.file else ""
        return f"{where}{self.type}: {self.message}"

    def record(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "type": self.type,
            "message": self.message,
            "traceback": self.traceback,
        }


class FailedApp:
    """The WSGI app served in place of the App while it cannot load: `cors` is the last loaded App's policy;
    `control(environ)` answers the paths under /__portable/ it serves in the meantime (the dashboard, which shows
    the error), None for the others; each reply the runner writes has its line on `console`."""

    def __init__(
        self,
        failure: LoadFailure,
        cors: Cors | None = None,
        control: Callable[[Environ], HttpReply | None] | None = None,
        console: Console | None = None,
    ) -> None:
        self.failure = failure
        self.cors = cors
        self.control = control
        self.console = console

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        shown = self.control(environ) if self.control is not None else None
        if shown is not None:
            if self.console is not None and shown.status >= 400:
                self.console.own_reply("control", environ, shown, 0.0)
            return send(start_response, shown)
        method = environ.get("REQUEST_METHOD", "GET")
        headers = environ_headers(environ)
        if self.cors is not None and is_preflight(method, headers):
            reply = preflight_reply(self.cors, headers, new_request_id())
        else:
            failed = error(
                500,
                f"the app failed to load: {self.failure.summary()}; fix it and save, and the runner loads it again",
                {"load_error": self.failure.record()},
            )
            reply = with_cors(self.cors, headers.get("origin"), failed)
        if self.console is not None:
            self.console.own_reply("runner", environ, reply, 0.0)
        return send(start_response, reply)


def _last_app_frame(exc: BaseException, root: Path) -> tuple[str, int] | None:
    """The innermost frame of the traceback in the app's own files: not the framework's, not an installed package's."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.lineno is not None and in_app(Path(frame.filename), root):
            found = frame.filename, frame.lineno
    return found


def in_app(path: Path, root: Path) -> bool:
    """Whether `path` is the app's own code: under `root`, outside the framework and installed packages."""
    resolved = path.resolve()
    return (
        resolved.is_relative_to(root)
        and not any(resolved.is_relative_to(part) for part in _FRAMEWORK)
        and "site-packages" not in resolved.parts
    )


def shown_path(file: str, root: Path = PROJECT_ROOT) -> str:
    """`file` relative to the app's folder when it is inside, as the console and error bodies name it."""
    resolved = Path(file).resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else file
