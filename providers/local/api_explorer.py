"""The API explorer at /__portable/api: Swagger UI on the runner's own OpenAPI document.

    GET /__portable/api                  the explorer: every route, "Try it out" against this runner
    GET /__portable/api/openapi.json     the document, its server this runner

Swagger UI's files ship in the wheel (providers/local/explorer/, from the swagger-ui-dist package; the version is
in SWAGGER_UI_VERSION) and are never fetched at run time. "Sign in as" (explorer.js) mints a token of the
development issuer for an `auth=` route, as `POST /__portable/token` does. The explorer answers through the
control endpoints' caller checks (control.py), like every path under /__portable/.
"""

from __future__ import annotations

from pathlib import Path

from portable.app import App
from portable.openapi import openapi_document
from portable.replies import HttpReply, render
from providers.local.wsgi import error

FILES = Path(__file__).parent / "explorer"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
# The page runs only its own scripts and talks only to this runner; Swagger UI styles some elements inline.
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


class Explorer:
    """Answers GET under /__portable/api for `app`, titled `title`."""

    def __init__(self, app: App, title: str) -> None:
        self.app = app
        self.title = title

    def answer(self, method: str, rest: str, host: str) -> HttpReply:
        if method not in ("GET", "HEAD"):
            return error(405, f"{method} is not allowed on /__portable/api: open it with GET (in a browser)")
        if rest in ("", "/"):
            return _file("index.html", "text/html; charset=utf-8")
        if rest == "openapi.json":
            return render(openapi_document(self.app, self.title, servers=[f"http://{host}"]))
        if rest in ASSETS:
            return _file(rest, ASSETS[rest])
        return error(
            404,
            f"no /__portable/api/{rest}; the explorer is at /__portable/api, its document at "
            "/__portable/api/openapi.json",
        )


def _file(name: str, content_type: str) -> HttpReply:
    headers = [("Content-Type", content_type), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")]
    if content_type.startswith("text/html"):
        headers.append(("Content-Security-Policy", POLICY))
    return HttpReply(200, (FILES / name).read_bytes(), headers)
