import hashlib
import hmac

from portable import HttpError, Request, http, secret, setting

webhook_key = secret("webhook_key")  # its value is set per stack: pulumi config set --secret secrets:webhook_key ...


@http("POST /webhooks", reads=[webhook_key], env={"SIGNATURE_HEADER": "X-Signature"})
def receive_webhook(request: Request) -> dict[str, bool]:
    header = setting("SIGNATURE_HEADER")  # "X-Signature", or what the stack or the environment says
    key = webhook_key.value()  # str; fetched on first use, then kept for 5 minutes
    expected = hmac.new(key.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get(header) or "", expected):
        raise HttpError(401, f"the {header} header is not the HMAC-SHA256 of the body")
    return {"received": True}
