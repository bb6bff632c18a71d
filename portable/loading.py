"""`load_app`: import every module of the functions' package and check the whole App.

The deploy and the local runner load the App so; a deployed function never does (it imports its
own module with `portable.app.load_function`). What one kind refuses (a route clash, a queue with
two consumers, a self-triggering bucket function) is checked by that kind's module, found through
the registry in `portable/triggers.py`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from portable.app import (
    App,
    FunctionSpec,
    ResourceSpec,
    declared_app_settings,
    declared_bucket_cors,
    declared_delayed_queues,
    declared_metrics,
    declared_unused,
    registered,
)
from portable.errors import AppDefinitionError
from portable.runtime_typing import TYPE_CHECKING
from portable.triggers import trigger_modules

if TYPE_CHECKING:
    from typing import Any

FRAMEWORK_PACKAGES = ("portable", "providers")


def load_app(package: str = "functions", search_path: str | None = None) -> App:
    """Import every module of `package` and return the checked App."""
    if search_path is not None and search_path not in sys.path:
        sys.path.insert(0, search_path)
    try:
        root = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        raise AppDefinitionError(
            f"cannot import the package {package!r} ({exc}); run from the project root, where functions/ is"
        ) from None
    for folder in getattr(root, "__path__", []):
        refuse_framework_shadowing(os.path.dirname(folder))
    import pkgutil  # only the deploy half and the local runner walk the whole package

    modules = [package]
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{package}."):
        importlib.import_module(info.name)
        modules.append(info.name)
    wanted = set(modules)
    app = _build_app(registered(wanted))
    app.env = declared_app_settings(wanted)
    app.delayed_queues = declared_delayed_queues(wanted, app.queues)
    app.metrics = declared_metrics(wanted)
    app.bucket_cors = declared_bucket_cors(wanted, app.buckets)
    app.unused = declared_unused(wanted, app.resources)
    from portable.cors_policy import declared_for

    app.cors = declared_for(package)
    for kind in trigger_modules():
        kind.check_app(app)
    return app


def _build_app(registrations: list[tuple[FunctionSpec, Callable[..., Any], list[ResourceSpec]]]) -> App:
    app = App()
    cloud_names: dict[str, FunctionSpec] = {}
    for spec, handler, resources in registrations:
        if spec.name in app.functions:
            other = app.functions[spec.name]
            raise AppDefinitionError(
                f"two functions are named {spec.name!r}: {other.where} and {spec.where}; "
                "rename one, or pass name='...' to its decorator"
            )
        cloud_name = spec.name.lower().replace("_", "-")
        if cloud_name in cloud_names:
            other = cloud_names[cloud_name]
            raise AppDefinitionError(
                f"functions {other.name!r} ({other.where}) and {spec.name!r} ({spec.where}) would "
                f"both be named {cloud_name!r} on GCP, which allows only lower-case letters, digits and '-'; "
                "rename one, or pass name='...' to its decorator"
            )
        cloud_names[cloud_name] = spec
        app.functions[spec.name] = spec
        app.handlers[spec.name] = handler
        for resource in resources:
            app.resources[resource.name] = resource
    return app


def refuse_framework_shadowing(project: str) -> None:
    """Refuse an app folder holding its own top-level `portable` or `providers`: it would be imported in place of
    the framework, from the project's root on sys.path and from the root of every archive."""
    framework = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.realpath(project) == os.path.realpath(framework):
        return  # the framework's own checkout, which is also the reference app
    for package in FRAMEWORK_PACKAGES:
        for name in (package, f"{package}.py"):
            path = os.path.join(project, name)
            if os.path.exists(path):
                raise AppDefinitionError(
                    f"{path}: the app has its own top-level {name!r}, which would be imported in place of the "
                    f"framework's {package!r} package (from the project's root and from the root of every archive); "
                    f"rename it, e.g. to 'app_{package}', or move it into functions/, and update its imports"
                )
