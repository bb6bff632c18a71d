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
    NotFound,
    PortableError,
    ResourceError,
    TooLarge,
)
from portable.events import ObjectEvent, ScheduleEvent
from portable.http import Headers, Query, Request, Response
from portable.resources import Bucket, Table, bucket, table

__all__ = [
    "AccessNotDeclared", "App", "AppDefinitionError", "BackendError", "Bucket", "ConfigurationError",
    "Conflict", "EventFailed", "FunctionSpec", "Headers", "HttpError", "InvalidKey", "NotFound",
    "ObjectEvent", "PortableError", "Query", "Request", "ResourceError", "Response", "ScheduleEvent",
    "Table", "TooLarge", "bucket", "http", "load_app", "schedule", "table",
]
