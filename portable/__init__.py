"""Portable: write serverless handlers once, run them on AWS, GCP or locally.

Standard library only: this package is on every cold start.
"""

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

__all__ = [
    "AccessNotDeclared", "App", "AppDefinitionError", "BackendError", "Bucket", "ConfigurationError",
    "Conflict", "EventFailed", "FunctionSpec", "Headers", "HttpError", "InvalidKey", "InvalidValue", "Item",
    "NotFound", "ObjectEvent", "ObjectInfo", "Page", "PortableError", "Query", "Request", "ResourceError",
    "Response", "ScheduleEvent", "Table", "TooLarge", "bucket", "http", "load_app", "schedule", "table",
]
