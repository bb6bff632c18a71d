"""The secret pattern: POST /webhooks accepts a sender's event only if it is signed with the shared key.

The sender signs the raw body with HMAC-SHA256 and sends the hex digest in a header (as Stripe, GitHub and
most webhook senders do). The key is a secret: set it per stack with
`pulumi config set --secret secrets:webhook_key <key>`; only this function declares it, so only this
function may read it. Which header carries the signature is a plain setting, overridable per stack.
The signature is checked on the raw bytes, so the handler reads the body itself and types only its reply.
"""

import hashlib
import hmac
from dataclasses import dataclass

from portable import HttpError, Request, http, log, secret, setting

webhook_key = secret("webhook_key")


@dataclass
class Receipt:
    received: bool
    type: str | None


@http("POST /webhooks", reads=[webhook_key], env={"SIGNATURE_HEADER": "X-Signature"})
def receive_webhook(request: Request) -> Receipt:
    """Take a signed event from a webhook sender."""
    header = setting("SIGNATURE_HEADER")
    expected = hmac.new(webhook_key.value().encode(), request.body, hashlib.sha256).hexdigest()
    sent = (request.headers.get(header) or "").removeprefix("sha256=")
    if not hmac.compare_digest(sent, expected):
        raise HttpError(401, f"the {header} header is not the HMAC-SHA256 of the body with the webhook key")
    event = request.json()
    kind = event.get("type") if isinstance(event, dict) else None
    log.info("webhook received", type=kind if isinstance(kind, str) else None, bytes=len(request.body))
    return Receipt(received=True, type=kind if isinstance(kind, str) else None)
