"""Run the Pulumi program in-process under Pulumi's mocks and record every resource it registers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

from providers.deploy.program import main

APPS = Path(__file__).parent / "apps"
ACCOUNT = "123456789012"
GCS_AGENT = "service-1234@gs-project-accounts.iam.gserviceaccount.com"


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
            {urn.rpartition("::")[2] for urn in request.dependencies}, bool(request.retainOnDelete),
        )
        return super().RegisterResource(request)


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
        elif args.typ == "aws:s3/bucket:Bucket":
            state["bucket"] = physical
            state["arn"] = f"arn:aws:s3:::{physical}"
        elif args.typ == "aws:sqs/queue:Queue":
            state["arn"] = f"arn:aws:sqs:{self.region}:{ACCOUNT}:{physical}"
            state["url"] = f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{physical}"
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
        elif args.typ == "gcp:apigateway/api:Api":
            state["managedService"] = f"{inputs['apiId']}-hash.apigateway.{inputs['project']}.cloud.goog"
        elif args.typ == "gcp:apigateway/gateway:Gateway":
            state["defaultHostname"] = f"{inputs['gatewayId']}-abc.uc.gateway.dev"
        options = self.options.pop((args.typ, args.name), _Options(set(), False))
        self.resources.append(Registered(args.typ, args.name, inputs, state, options.depends_on,
                                         options.retain_on_delete))
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        self.calls.append(args.token)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/test", "userId": "test", "id": ACCOUNT}
        if args.token == "gcp:storage/getProjectServiceAccount:getProjectServiceAccount":
            return {"emailAddress": GCS_AGENT, "member": f"serviceAccount:{GCS_AGENT}", "id": GCS_AGENT}
        return {}


@dataclass
class Deployment:
    resources: list[Registered]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, typ: str) -> list[Registered]:
        return [resource for resource in self.resources if resource.type == typ]

    def named(self, typ: str, name: str) -> Registered:
        matches = [resource for resource in self.of_type(typ) if resource.name == name]
        assert len(matches) == 1, f"expected one {typ} named {name}, found {len(matches)}"
        return matches[0]

    def policy(self, resource: Registered, key: str = "policy") -> dict[str, Any]:
        document: dict[str, Any] = json.loads(resource.inputs[key])
        return document


def run_program(
    stack: str, config: dict[str, str], package: str = "sampleapp", mocks: RecordingMocks | None = None
) -> tuple[Deployment, RecordingMocks]:
    """Run providers.deploy.program.main (what __main__.py runs) for `stack` with `config`; raise what it raises."""
    mocks = mocks or RecordingMocks(config.get("aws:region", config.get("gcp:region", "none")))
    pulumi.runtime.set_mocks(mocks, project="portable", stack=stack, preview=False, monitor=RecordingMonitor(mocks))
    pulumi.runtime.set_all_config(config)
    deployment = Deployment(mocks.resources)

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        outputs = main(package, str(APPS))
        return pulumi.Output.from_input(outputs).apply(deployment.outputs.update)

    program()
    return deployment, mocks
