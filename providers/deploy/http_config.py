"""The stack's overrides of the App's CORS origins and JWT issuers, applied before a resource exists.

    pulumi config set portable:corsAllowOrigins https://app.example.com,https://admin.example.com
    pulumi config set --path 'portable:jwtAuth.users.issuer' https://example.eu.auth0.com/
    pulumi config set --path 'portable:jwtAuth.users.audiences[0]' https://api.example.com
    pulumi config set --path 'portable:jwtAuth.users.jwksUri' https://example.eu.auth0.com/.well-known/jwks.json

`users` is the name given to `jwt_auth(..., name="users")`. A value of the wrong type, or a name no
route requires, stops the deploy with the key and the command that fixes it.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from portable.app import App, has_trigger
from portable.auth import JwtAuth, checked, deployed_refusal
from portable.cors_policy import Cors
from portable.errors import AppDefinitionError, ConfigurationError
from portable.http_trigger import HttpTrigger, auths
from portable.http_trigger import functions as http_functions
from providers.deploy.config import config_command

CORS_ORIGINS_KEY = "corsAllowOrigins"
JWT_AUTH_KEY = "jwtAuth"
_JWT_FIELDS = {"issuer": "issuer", "audiences": "audiences", "jwksUri": "jwks_uri"}


def with_stack_overrides(app: App) -> App:
    """`app` with the stack's CORS origins and JWT issuers in place of the declared ones."""
    config = pulumi.Config("portable")
    origins = config.get(CORS_ORIGINS_KEY)
    if origins is not None:
        app.cors = _cors_origins(app, origins)
    overrides = _jwt_overrides(app, config.get(JWT_AUTH_KEY))
    for name, spec in list(app.functions.items()):
        if has_trigger(spec, HttpTrigger) and spec.trigger.auth is not None:
            auth = overrides.get(spec.trigger.auth.name, spec.trigger.auth)
            app.functions[name] = spec._replace(trigger=spec.trigger._replace(auth=auth))
    _refuse_undeployable_issuers(app)
    return app


def _refuse_undeployable_issuers(app: App) -> None:
    """An issuer only the local runner can use (http, loopback) stops the deploy, naming the routes and the fix."""
    for auth in auths(app):
        refusal = deployed_refusal(auth)
        if refusal is None:
            continue
        routes = [
            f"{spec.trigger.route.key} ({spec.where})"
            for spec in http_functions(app)
            if spec.trigger.auth is not None and spec.trigger.auth.name == auth.name
        ]
        command = config_command(
            f"--path 'portable:{JWT_AUTH_KEY}.{auth.name}.issuer'", "https://example.eu.auth0.com/", pulumi.get_stack()
        )
        raise ConfigurationError(
            f"jwt_auth {auth.name!r}, which {', '.join(routes)} require, cannot be deployed: {refusal}. Locally it "
            f"serves; for this stack, name the issuer your users sign in with: {command}"
        )


def _wrong(key: str, why: str, example: str) -> ConfigurationError:
    command = config_command(f"portable:{key}", example, pulumi.get_stack())
    return ConfigurationError(f"portable:{key} {why}; e.g. {command}")


def _cors_origins(app: App, text: str) -> Cors:
    example = "https://app.example.com,https://admin.example.com"
    if app.cors is None:
        raise _wrong(CORS_ORIGINS_KEY, "is set, but the App declares no portable.cors(...)", example)
    origins = _text_list(text)
    if origins is None:
        raise _wrong(CORS_ORIGINS_KEY, f"is {text!r}: a list of origins is expected", example)
    try:
        return app.cors.with_origins(origins, f"portable:{CORS_ORIGINS_KEY}")
    except AppDefinitionError as exc:
        raise _wrong(CORS_ORIGINS_KEY, f"is wrong: {exc}", example) from None


def _text_list(value: Any) -> list[str] | None:
    """A list of strings from config: a JSON list (`--path ...[0]`), or text with commas between the items."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _jwt_overrides(app: App, text: str | None) -> dict[str, JwtAuth]:
    if text is None:
        return {}
    declared = {auth.name: auth for auth in auths(app)}
    name_example = next(iter(declared), "users")
    example = f"--path 'portable:{JWT_AUTH_KEY}.{name_example}.issuer' https://example.eu.auth0.com/"
    try:
        given = json.loads(text)
    except ValueError:
        given = None
    if not isinstance(given, dict):
        raise _wrong(JWT_AUTH_KEY, "must be an object of issuer settings by jwt_auth name", example)
    overrides: dict[str, JwtAuth] = {}
    for name, fields in given.items():
        key = f"{JWT_AUTH_KEY}.{name}"
        if name not in declared:
            raise _wrong(
                key, f"names no jwt_auth a route requires (they are: {', '.join(declared) or 'none'})", example
            )
        if not isinstance(fields, dict) or not set(fields) <= set(_JWT_FIELDS):
            raise _wrong(key, f"must be an object with {', '.join(_JWT_FIELDS)}", example)
        auth = declared[name]
        audiences = _text_list(fields["audiences"]) if "audiences" in fields else list(auth.audiences)
        issuer = fields.get("issuer", auth.issuer)
        # A new issuer has its keys elsewhere: the declared jwks_uri stays only if the issuer does.
        jwks_uri = fields.get("jwksUri", auth.jwks_uri if issuer == auth.issuer else None)
        try:
            overrides[name] = checked(name, issuer, audiences, jwks_uri, f"portable:{key}")
        except AppDefinitionError as exc:
            raise _wrong(key, f"is wrong: {exc}", example) from None
    return overrides
