"""Portable: write serverless handlers once, run them on AWS, GCP or locally.

Standard library only: this package is on every cold start, so each name is imported
from its module on first use (`from portable import http` loads the decorators and
nothing about buckets, tables or schedules).
"""

from __future__ import annotations

import importlib

from portable.runtime_typing import TYPE_CHECKING

# The public API, one name per entry, with the module it lives in (a module listed under its own name is the
# module itself). The imports under TYPE_CHECKING below say the same for type checkers; a test keeps them equal.
_HOMES = {
    "App": "app",
    "FunctionSpec": "app",
    "load_app": "loading",
    "Auth": "auth",
    "JwtAuth": "auth",
    "jwt_auth": "auth",
    "Cors": "cors_policy",
    "cors": "cors_policy",
    "http": "http_trigger",
    "schedule": "schedule_trigger",
    "ObjectEvent": "object_trigger",
    "ScheduleEvent": "schedule_trigger",
    "TableChange": "change_trigger",
    "log": "log",
    "Headers": "request",
    "Query": "request",
    "Request": "request",
    "Response": "request",
    "Bucket": "resources",
    "Table": "resources",
    "bucket": "resources",
    "table": "resources",
    "Item": "storage_types",
    "ObjectInfo": "storage_types",
    "Page": "storage_types",
    "RetryPolicy": "retries",
    "Idempotency": "idempotency",
    "Secret": "secrets",
    "secret": "secrets",
    "app_env": "settings",
    "setting": "settings",
    "trace_id": "tracing",
    "metric": "metrics",
    "Metric": "metrics",
    "Message": "message_trigger",
    "Queue": "messaging",
    "Topic": "messaging",
    "queue": "messaging",
    "topic": "messaging",
    **{
        name: "errors"
        for name in (
            "AccessNotDeclared",
            "AppDefinitionError",
            "BackendError",
            "ConfigurationError",
            "Conflict",
            "EventFailed",
            "HttpError",
            "InvalidKey",
            "InvalidValue",
            "MalformedEvent",
            "NotFound",
            "PortableError",
            "ResourceError",
            "TooLarge",
        )
    },
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'portable' has no attribute {name!r}")
    module = importlib.import_module(f"portable.{home}")
    value = module if name == home else getattr(module, name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # `X as X`: an explicit re-export, for type checkers in strict mode
    from portable import log as log
    from portable.app import (
        App as App,
    )
    from portable.app import (
        FunctionSpec as FunctionSpec,
    )
    from portable.auth import (
        Auth as Auth,
    )
    from portable.auth import (
        JwtAuth as JwtAuth,
    )
    from portable.auth import (
        jwt_auth as jwt_auth,
    )
    from portable.change_trigger import (
        TableChange as TableChange,
    )
    from portable.cors_policy import (
        Cors as Cors,
    )
    from portable.cors_policy import (
        cors as cors,
    )
    from portable.errors import (
        AccessNotDeclared as AccessNotDeclared,
    )
    from portable.errors import (
        AppDefinitionError as AppDefinitionError,
    )
    from portable.errors import (
        BackendError as BackendError,
    )
    from portable.errors import (
        ConfigurationError as ConfigurationError,
    )
    from portable.errors import (
        Conflict as Conflict,
    )
    from portable.errors import (
        EventFailed as EventFailed,
    )
    from portable.errors import (
        HttpError as HttpError,
    )
    from portable.errors import (
        InvalidKey as InvalidKey,
    )
    from portable.errors import (
        InvalidValue as InvalidValue,
    )
    from portable.errors import (
        MalformedEvent as MalformedEvent,
    )
    from portable.errors import (
        NotFound as NotFound,
    )
    from portable.errors import (
        PortableError as PortableError,
    )
    from portable.errors import (
        ResourceError as ResourceError,
    )
    from portable.errors import (
        TooLarge as TooLarge,
    )
    from portable.http_trigger import (
        http as http,
    )
    from portable.idempotency import (
        Idempotency as Idempotency,
    )
    from portable.loading import (
        load_app as load_app,
    )
    from portable.message_trigger import (
        Message as Message,
    )
    from portable.messaging import (
        Queue as Queue,
    )
    from portable.messaging import (
        Topic as Topic,
    )
    from portable.messaging import (
        queue as queue,
    )
    from portable.messaging import (
        topic as topic,
    )
    from portable.metrics import (
        Metric as Metric,
    )
    from portable.metrics import (
        metric as metric,
    )
    from portable.object_trigger import (
        ObjectEvent as ObjectEvent,
    )
    from portable.request import (
        Headers as Headers,
    )
    from portable.request import (
        Query as Query,
    )
    from portable.request import (
        Request as Request,
    )
    from portable.request import (
        Response as Response,
    )
    from portable.resources import (
        Bucket as Bucket,
    )
    from portable.resources import (
        Table as Table,
    )
    from portable.resources import (
        bucket as bucket,
    )
    from portable.resources import (
        table as table,
    )
    from portable.retries import (
        RetryPolicy as RetryPolicy,
    )
    from portable.schedule_trigger import (
        ScheduleEvent as ScheduleEvent,
    )
    from portable.schedule_trigger import (
        schedule as schedule,
    )
    from portable.secrets import (
        Secret as Secret,
    )
    from portable.secrets import (
        secret as secret,
    )
    from portable.settings import (
        app_env as app_env,
    )
    from portable.settings import (
        setting as setting,
    )
    from portable.storage_types import (
        Item as Item,
    )
    from portable.storage_types import (
        ObjectInfo as ObjectInfo,
    )
    from portable.storage_types import (
        Page as Page,
    )
    from portable.tracing import (
        trace_id as trace_id,
    )
