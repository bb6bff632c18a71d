"""Portable: write serverless handlers once, run them on AWS, GCP or locally.

Standard library only: this package is on every cold start, so each name is imported
from its module on first use (`from portable import http` loads the decorators and
nothing about buckets, tables or schedules).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "App": "app", "FunctionSpec": "app", "load_app": "app",
    "http": "decorators", "schedule": "decorators",
    "ObjectEvent": "events", "ScheduleEvent": "events",
    "Headers": "request", "Query": "request", "Request": "request", "Response": "request",
    "Bucket": "resources", "Table": "resources", "bucket": "resources", "table": "resources",
    "Item": "storage_types", "ObjectInfo": "storage_types", "Page": "storage_types",
    **{name: "errors" for name in (
        "AccessNotDeclared", "AppDefinitionError", "BackendError", "ConfigurationError", "Conflict", "EventFailed",
        "HttpError", "InvalidKey", "InvalidValue", "NotFound", "PortableError", "ResourceError", "TooLarge",
    )},
}

__all__ = [
    "AccessNotDeclared",
    "App",
    "AppDefinitionError",
    "BackendError",
    "Bucket",
    "ConfigurationError",
    "Conflict",
    "EventFailed",
    "FunctionSpec",
    "Headers",
    "HttpError",
    "InvalidKey",
    "InvalidValue",
    "Item",
    "NotFound",
    "ObjectEvent",
    "ObjectInfo",
    "Page",
    "PortableError",
    "Query",
    "Request",
    "ResourceError",
    "Response",
    "ScheduleEvent",
    "Table",
    "TooLarge",
    "bucket",
    "http",
    "load_app",
    "schedule",
    "table",
]


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'portable' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"portable.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from portable.app import App, FunctionSpec, load_app
    from portable.decorators import http, schedule
    from portable.errors import (
        AccessNotDeclared,
        AppDefinitionError,
        BackendError,
        ConfigurationError,
        Conflict,
        EventFailed,
        HttpError,
        InvalidKey,
        InvalidValue,
        NotFound,
        PortableError,
        ResourceError,
        TooLarge,
    )
    from portable.events import ObjectEvent, ScheduleEvent
    from portable.request import Headers, Query, Request, Response
    from portable.resources import Bucket, Table, bucket, table
    from portable.storage_types import Item, ObjectInfo, Page
