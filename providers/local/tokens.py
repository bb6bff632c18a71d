"""JWT verification as the clouds' gateways do it, and a development issuer that mints tokens locally.

The local runner verifies a route's token here (PyJWT with `cryptography`, loaded on first use: no
deployed function imports this module). A token is checked against the route's `jwt_auth`: its
issuer, one of its audiences, its expiry and its signature. The signing key is found by the token's
`kid`: the development issuer's own key, else the issuer's JWKS at `jwks_uri`.

The development issuer signs with an RSA key kept in the local state folder (`dev-issuer-key.pem`), so
tokens survive a restart of the runner and stop working when the folder is wiped. It mints tokens in
the name of the declared issuer and audience, so a handler sees the same `iss` and `aud` as in the
cloud; only the local runner and the test kit's stand-ins of the gateways trust its key.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portable.auth import JwtAuth, UnreadableClaims, check_token_claims
from providers.local.sqlite_files import local_dir

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

KEY_ID = "portable-local-dev"
ALGORITHM = "RS256"  # what API Gateway's JWT authorizer on AWS accepts
_KEY_FILE = "dev-issuer-key.pem"
DEFAULT_LIFETIME_SECONDS = 3600


class TokenRefused(Exception):
    """A token the gateway would refuse; the message says what is wrong and how to get a good one."""


class DevIssuer:
    """The local development issuer of the state folder `root` (default: the local data folder)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or local_dir()
        self._key: RSAPrivateKey | None = None

    def key(self) -> RSAPrivateKey:
        if self._key is None:
            self._key = _load_or_create_key(self.root / _KEY_FILE)
        return self._key

    def jwks(self) -> dict[str, Any]:
        """The issuer's public key as a JSON Web Key Set, what `/__portable/jwks.json` serves."""
        import json

        from jwt.algorithms import RSAAlgorithm

        public = json.loads(RSAAlgorithm.to_jwk(self.key().public_key()))
        return {"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": ALGORITHM}]}

    def mint(
        self,
        auth: JwtAuth,
        subject: str,
        scopes: Iterable[str] = (),
        *,
        lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
        claims: Mapping[str, Any] | None = None,
    ) -> str:
        """A token of `auth`'s issuer for its first audience, for `subject` with `scopes` (the `scope` claim).

        `claims` adds or replaces claims: `{"aud": "other"}` or a past `exp` make tokens a gateway refuses.
        """
        import jwt

        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": auth.issuer,
            "aud": auth.audiences[0],
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
        }
        listed = " ".join(scopes)
        if listed:
            payload["scope"] = listed
        payload.update(claims or {})
        return jwt.encode(payload, self.key(), algorithm=ALGORITHM, headers={"kid": KEY_ID})

    def verify(self, token: str, auth: JwtAuth) -> dict[str, Any]:
        """The claims of `token` if `auth` accepts it; TokenRefused saying why not."""
        import jwt

        try:
            kid = jwt.get_unverified_header(token).get("kid")
            own = kid == KEY_ID
            key: Any = self.key().public_key() if own else _issuer_key(auth.jwks_uri, token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM] if own else [ALGORITHM, "ES256"],
                audience=list(auth.audiences),
                issuer=auth.issuer,
                # `sub` and `jti` may hold any JSON, as at the gateways: request.auth renders them as text
                options={"require": ["exp", "iss", "aud"], "verify_sub": False, "verify_jti": False},
            )
            check_token_claims(claims)
        except jwt.ExpiredSignatureError:
            raise TokenRefused("the token has expired; get a new one") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused(
                f"the token is for another audience; this API accepts {', '.join(auth.audiences)}"
            ) from None
        except jwt.InvalidIssuerError:
            raise TokenRefused(
                f"the token is from another issuer; this route accepts tokens of {auth.issuer}"
            ) from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRefused(f"the token has no {exc.claim!r} claim; the gateways require exp, iss and aud") from None
        except jwt.ImmatureSignatureError:
            raise TokenRefused("the token is not valid yet (its nbf or iat is in the future)") from None
        except jwt.InvalidSignatureError:
            raise TokenRefused(f"the token's signature does not match the keys of {auth.issuer}") from None
        except jwt.PyJWKClientError as exc:
            raise TokenRefused(f"the token's signing key is not among {auth.jwks_uri}: {exc}") from None
        except jwt.InvalidTokenError as exc:
            raise TokenRefused(f"the token is malformed ({exc}); send the JWT as issued") from None
        except UnreadableClaims as exc:
            raise TokenRefused(f"{exc}; the gateways refuse such a token") from None
        except (TypeError, ValueError, RecursionError) as exc:  # a key of another type than the token says
            raise TokenRefused(f"the token cannot be checked with the issuer's keys ({type(exc).__name__})") from None
        return claims


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header; TokenRefused naming the fix otherwise."""
    if not authorization:
        raise TokenRefused(
            "this route requires a token: send Authorization: Bearer <token> (locally, "
            "POST /__portable/token?subject=<who> mints one)"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRefused("the Authorization header must be 'Bearer <token>'")
    return token.strip()


_issuer_clients: dict[str, Any] = {}


def _issuer_key(jwks_uri: str, token: str) -> Any:
    """The key of an issuer's JWKS that signed `token`; the JWKS is fetched once per runner and cached."""
    from jwt import PyJWKClient

    client = _issuer_clients.get(jwks_uri)
    if client is None:
        client = _issuer_clients[jwks_uri] = PyJWKClient(jwks_uri, timeout=10)
    return client.get_signing_key_from_jwt(token).key


def _load_or_create_key(path: Path) -> RSAPrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        draft.write_bytes(pem)
        os.chmod(draft, 0o600)
        try:
            os.link(draft, path)  # fails if another process made the key first: then theirs is the key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise TokenRefused(f"{path} holds no RSA key; delete it and the runner makes a new one")
    return loaded
