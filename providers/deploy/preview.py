"""An offline `pulumi up`: the Pulumi program run in-process under Pulumi's mocks, every resource recorded.

Nothing reaches a cloud and no pulumi CLI runs; the program makes every check it makes for real and builds
the archives. What a cloud would assign (ids, ARNs, URLs, e-mail addresses) is made up from each resource's
name, so that the program's own wiring (policies naming ARNs, URLs in outputs) can be read.
`portable preview` prints it; the deploy tests assert on it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from portable.errors import ConfigurationError
from portable.secrets import CONFIG_NAMESPACE
from providers.aws import arns
from providers.deploy.program import main

ACCOUNT = arns.ACCOUNT
PROJECT_NUMBER = "1234"
GCS_AGENT = f"service-{PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
SECRET = "[secret]"


@dataclass
class Registered:
    """A registered resource; `depends_on` names every resource it waits for (explicitly or through its inputs)."""

    type: str
    name: str
    inputs: dict[str, Any]
    state: dict[str, Any]
    depends_on: set[str] = field(default_factory=set)
    retain_on_delete: bool = False


@dataclass
class _Options:
    depends_on: set[str]
    retain_on_delete: bool


class RecordingMonitor(MockMonitor):
    """Hands the mocks what MockResourceArgs leaves out: a resource's dependencies and retain_on_delete."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks

    def RegisterResource(self, request: Any) -> Any:
        self.recording.options[request.type, request.name] = _Options(
            {urn.rpartition("::")[2] for urn in request.dependencies},
            bool(request.retainOnDelete),
        )
        register: Callable[[Any], Any] = super().RegisterResource
        return register(request)


class RecordingMocks(pulumi.runtime.Mocks):
    """Gives each resource the outputs a cloud would (ARNs, URLs, names) derived from its logical name."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.resources: list[Registered] = []
        self.calls: list[str] = []
        self.options: dict[tuple[str, str], _Options] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        state = dict(inputs)
        physical = inputs.get("name") or f"{args.name}-0000001"
        state.setdefault("name", physical)
        service = args.typ.split(":")[1].split("/")[0]
        if args.typ.startswith("aws:"):
            state.setdefault("arn", f"arn:aws:{service}:{self.region}:{ACCOUNT}:{args.name}/{physical}")
        if args.typ == "aws:lambda/function:Function":
            state["arn"] = f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{physical}"
            state["invokeArn"] = f"arn:aws:apigateway:{self.region}:lambda:path/functions/{state['arn']}/invocations"
        elif args.typ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = f"arn:aws:logs:{self.region}:{ACCOUNT}:log-group:{physical}"
        elif args.typ == "aws:dynamodb/table:Table":
            state["arn"] = f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{physical}"
            if inputs.get("streamEnabled"):
                state["streamArn"] = f"{state['arn']}/stream/2026-01-01T00:00:00.000"
        elif args.typ == "aws:s3/bucket:Bucket":
            state["bucket"] = physical
            state["arn"] = f"arn:aws:s3:::{physical}"
        elif args.typ == "aws:sqs/queue:Queue":
            state["arn"] = f"arn:aws:sqs:{self.region}:{ACCOUNT}:{physical}"
            state["url"] = f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{physical}"
        elif args.typ == "aws:secretsmanager/secret:Secret":
            state["arn"] = f"arn:aws:secretsmanager:{self.region}:{ACCOUNT}:secret:{physical}-AbCdEf"
        elif args.typ == "aws:apigatewayv2/domainName:DomainName":
            target = f"d-{args.name}.execute-api.{self.region}.amazonaws.com"
            state["domainNameConfiguration"] = {**inputs.get("domainNameConfiguration", {}), "targetDomainName": target}
        elif args.typ == "aws:apigatewayv2/api:Api":
            state["apiEndpoint"] = f"https://{args.name}.execute-api.{self.region}.amazonaws.com"
            state["executionArn"] = f"arn:aws:execute-api:{self.region}:{ACCOUNT}:{args.name}-id"
        elif args.typ == "gcp:serviceaccount/account:Account":
            state["email"] = f"{inputs['accountId']}@{inputs['project']}.iam.gserviceaccount.com"
            state["member"] = f"serviceAccount:{state['email']}"
            state["name"] = f"projects/{inputs['project']}/serviceAccounts/{state['email']}"
        elif args.typ == "gcp:cloudfunctionsv2/function:Function":
            state["url"] = f"https://{physical}-xyz-uc.a.run.app"
            state["serviceConfig"] = {**inputs.get("serviceConfig", {}), "service": physical}
        elif args.typ == "gcp:compute/globalAddress:GlobalAddress":
            state["address"] = "203.0.113.10"
        elif args.typ == "gcp:apigateway/api:Api":
            state["managedService"] = f"{inputs['apiId']}-hash.apigateway.{inputs['project']}.cloud.goog"
        elif args.typ == "gcp:apigateway/gateway:Gateway":
            state["defaultHostname"] = f"{inputs['gatewayId']}-abc.uc.gateway.dev"
        options = self.options.pop((args.typ, args.name), _Options(set(), False))
        self.resources.append(
            Registered(args.typ, args.name, inputs, state, options.depends_on, options.retain_on_delete)
        )
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        self.calls.append(args.token)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/test", "userId": "test", "id": ACCOUNT}
        if args.token == "gcp:organizations/getProject:getProject":
            return {"number": PROJECT_NUMBER, "projectId": args.args.get("projectId"), "id": PROJECT_NUMBER}
        if args.token == "gcp:storage/getProjectServiceAccount:getProjectServiceAccount":
            return {"emailAddress": GCS_AGENT, "member": f"serviceAccount:{GCS_AGENT}", "id": GCS_AGENT}
        return {}


@dataclass
class Preview:
    """What one run of the program registered, in order, the stack outputs it exported, and the warnings it logged
    (`pulumi up` shows them as the engine's warnings)."""

    project: str
    stack: str
    resources: list[Registered]
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def of_type(self, typ: str) -> list[Registered]:
        return [resource for resource in self.resources if resource.type == typ]


def run_program(
    stack: str,
    config: Mapping[str, str],
    *,
    project: str = "portable",
    package: str = "functions",
    search_path: str | None = None,
    mocks: RecordingMocks | None = None,
) -> Preview:
    """Run providers.deploy.program.main (what __main__.py runs) for `stack` with `config`; raise what it raises
    (pulumi.RunError for every refusal of the program). A value of SECRET stands for an encrypted one."""
    mocks = mocks or RecordingMocks(config.get("aws:region") or config.get("gcp:region") or "none")
    preview = Preview(project, stack, mocks.resources)
    logger = logging.Logger("portable preview")  # the engine's log, kept for this run only
    logger.addHandler(_Kept(preview.warnings))
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=False, monitor=RecordingMonitor(mocks), logger=logger
    )
    pulumi.runtime.set_all_config(dict(config), [key for key, value in config.items() if value == SECRET])

    def program() -> pulumi.Output[Any]:
        outputs = main(package, search_path)
        return pulumi.Output.from_input(outputs).apply(preview.outputs.update)

    under_mocks: Callable[[Callable[[], pulumi.Output[Any]]], Callable[[], None]] = pulumi.runtime.test
    under_mocks(program)()
    return preview


class _Kept(logging.Handler):
    """Keeps the text of each warning (and error) the program logs."""

    def __init__(self, kept: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.kept = kept

    def emit(self, record: logging.LogRecord) -> None:
        self.kept.append(record.getMessage())


def project_name(root: Path) -> str:
    """The `name:` of the project's Pulumi.yaml."""
    document = _yaml(root / "Pulumi.yaml", "run this in your app's folder, the one holding Pulumi.yaml")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigurationError(f"{root / 'Pulumi.yaml'} has no name: add a line such as `name: my-app`")
    return name


def stack_config(root: Path, stack: str) -> dict[str, str]:
    """The `config:` of Pulumi.<stack>.yaml, as Pulumi hands it to a program: every value a string.
    Secrets cannot be decrypted offline and read as SECRET."""
    stacks = sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in root.glob("Pulumi.*.yaml"))
    document = _yaml(root / f"Pulumi.{stack}.yaml", f"the stacks here are: {', '.join(stacks) or 'none'}")
    return {key: _config_value(value) for key, value in (document.get("config") or {}).items()}


def _yaml(path: Path, hint: str) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise ConfigurationError(f"there is no {path}; {hint}")
    document = yaml.safe_load(path.read_text()) or {}
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path} is not a YAML mapping")
    return document


def _config_value(value: Any) -> str:
    if isinstance(value, dict) and "secure" in value:
        return SECRET
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def preview_project(root: Path, stack: str, overrides: Mapping[str, str]) -> Preview:
    """The project at `root` (its functions/ and Pulumi.<stack>.yaml, plus `overrides`) under the mocks."""
    project = project_name(root)
    # A secret given on the command line stands in for an encrypted one, and is never shown.
    given = {key: SECRET if key.startswith(f"{CONFIG_NAMESPACE}:") else value for key, value in overrides.items()}
    config = {**stack_config(root, stack), **given}
    return run_program(stack, config, project=project, search_path=str(root))


def as_json(preview: Preview) -> str:
    """Every resource with all its inputs, and the outputs; archives and assets as their paths."""
    document = {
        "project": preview.project,
        "stack": preview.stack,
        "resources": [
            {
                "type": r.type,
                "name": r.name,
                "inputs": r.inputs,
                "dependsOn": sorted(r.depends_on),
                "retainOnDelete": r.retain_on_delete,
            }
            for r in preview.resources
        ],
        "outputs": preview.outputs,
    }
    return json.dumps(document, indent=2, default=_plain)


def as_text(preview: Preview, root: Path, width: int = 120) -> str:
    """One block per resource, type and name, then its settings one per line (cut at `width` characters)."""
    lines = [
        f"Stack {preview.stack!r} of project {preview.project!r}: `pulumi up` would create "
        f"{len(preview.resources)} resources.",
        "Offline preview under Pulumi's mocks: nothing was sent to a cloud, and what a cloud assigns "
        "(ids, ARNs, URLs) shows as made-up placeholders.",
    ]
    for resource in preview.resources:
        lines += ["", f"{resource.type}  {resource.name}"]
        options = {"retainOnDelete": resource.retain_on_delete or None, "dependsOn": sorted(resource.depends_on)}
        lines += [_cut(f"    {key}: {text}", width) for key, text in _settings({**resource.inputs, **options}, root)]
    if preview.outputs:
        lines += ["", "outputs"]
        lines += [_cut(f"    {key}: {text}", width) for key, text in _settings(preview.outputs, root)]
    return "\n".join(lines)


def _settings(value: Any, root: Path, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, text) for every leaf of nested inputs; lists of plain values on one line; a secret as SECRET."""
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        yield prefix, SECRET
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _settings(item, root, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        for index, item in enumerate(value):
            yield from _settings(item, root, f"{prefix}[{index}]")
    elif isinstance(value, list):
        if value:
            yield prefix, ", ".join(str(item) for item in value)
    elif value is not None:
        yield prefix, _shown(value, root)


def _shown(value: Any, root: Path) -> str:
    path = _plain(value) if hasattr(value, "path") else None
    if path is not None:
        file = Path(path)
        shown = file.relative_to(root) if file.is_relative_to(root) else file
        return f"{shown} ({file.stat().st_size:,} bytes)" if file.is_file() else str(shown)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():  # Pulumi passes every number as a float
        return str(int(value))
    return " ".join(str(value).split())


def _plain(value: Any) -> Any:
    """JSON for what json cannot write itself: a Pulumi archive or asset is its path."""
    path = getattr(value, "path", None)
    return str(path) if path is not None else repr(value)


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"
