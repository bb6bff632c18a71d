"""AWS's deploy-time limits on what a function is given, checked in the plan, before any resource exists.

Lambda keeps 4 KB of environment variables per function, and IAM 10,240 characters of inline policy per role
(portable/limits.py). Both grow with the resources a function uses: a variable with the physical name of each, and
statements granting each. The plan builds both for every function as the deploy will, with the longest value each
name can take (Pulumi's 8-character suffix, a 12-digit account, the stack's region or the longest AWS has), and
refuses a function past either limit, naming its declaration and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from portable.app import App, FunctionSpec, ResourceSpec
from portable.errors import AppDefinitionError
from portable.limits import AUTO_NAME_SUFFIX_CHARS, FUNCTION_ENVIRONMENT_MAX_BYTES, ROLE_POLICY_MAX_CHARS
from providers.aws.deploy.iam import function_policy
from providers.deploy.plan import StackInfo, kind_deployers
from providers.deploy.resources import cors_environment, function_environment

ACCOUNT = "123456789012"
LONGEST_REGION = "ap-southeast-7-x"  # longer than any region's name, so that the bound holds in every one
_SUFFIX = "-" + "x" * (AUTO_NAME_SUFFIX_CHARS - 1)


class Arns:
    """The longest name and ARN each resource of the stack can have, as the deploy names them."""

    def __init__(self, info: StackInfo, region: str | None) -> None:
        self.info = info
        self.region = region or LONGEST_REGION

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"

    def bucket(self, name: str) -> str:
        return f"arn:aws:s3:::{name}{_SUFFIX}"

    def table(self, name: str) -> str:
        return self.arn("dynamodb", f"table/{name}{_SUFFIX}")

    def secret(self, name: str) -> str:
        return self.arn("secretsmanager", f"secret:{name}-secret{_SUFFIX}-AbCdEf")

    def queue(self, label: str) -> str:
        return self.arn("sqs", f"{label}-queue{_SUFFIX}")

    def queue_url(self, label: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{label}-queue{_SUFFIX}"

    def topic(self, name: str) -> str:
        return self.arn("sns", f"{name}{_SUFFIX}")

    def log_group(self, function: str) -> str:
        return self.arn("logs", f"log-group:/portable/{self.info.project}/{self.info.stack}/{function}")

    def dead_letters(self, function: str) -> str:
        return self.arn("sqs", f"{function}-dead-letters{_SUFFIX}")

    def stream(self, table: str) -> str:
        return self.arn("dynamodb", f"table/{table}{_SUFFIX}/stream/2026-12-07T00:00:00.000")

    def granted_on(self, spec: FunctionSpec, resource: str) -> str:
        """The ARN of what a kind grants a function on (its deploy module's OWN_GRANTS): its dead-letter queue, its
        own queue (a topic subscriber's is named after both), its table's stream."""
        if resource == "dead-letters":
            return self.dead_letters(spec.name)
        source = spec.trigger.source or ""
        if resource == "queue":
            return self.queue(f"{source}-{spec.name}" if spec.trigger.source_kind == "topic" else source)
        return self.stream(source)

    def physical_names(self, app: App) -> dict[ResourceSpec, str]:
        """What PORTABLE_<KIND>_<NAME> holds for each resource: a name, a queue's URL, an ARN."""
        by_kind = {
            "bucket": lambda name: self.bucket(name).removeprefix("arn:aws:s3:::"),
            "table": lambda name: f"{name}{_SUFFIX}",
            "secret": self.secret,
            "queue": self.queue_url,
            "topic": self.topic,
        }
        return {spec: by_kind[spec.kind](name) for name, spec in app.resources.items()}


def environment_bytes(variables: Mapping[str, str]) -> int:
    """What Lambda counts against its 4 KB: every name and value, in UTF-8."""
    return sum(len(name.encode()) + len(value.encode()) for name, value in variables.items())


def policy_chars(policy: object) -> int:
    """What IAM counts against 10,240 characters: the policy's JSON without whitespace."""
    return len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False))


def check_function_limits(app: App, info: StackInfo, region: str | None) -> None:
    """AppDefinitionError for the first function whose environment or policy would pass AWS's limits."""
    arns = Arns(info, region)
    physical = arns.physical_names(app)
    for spec in app.functions.values():
        variables = function_environment(spec, physical, **cors_environment(spec, app.cors))
        size = environment_bytes({name: str(value) for name, value in variables.items()})
        if size > FUNCTION_ENVIRONMENT_MAX_BYTES:
            settings = environment_bytes(dict(spec.env))
            raise AppDefinitionError(
                f"{spec.where} ({spec.name}): its Lambda environment would take {size:,} bytes, past "
                f"the {FUNCTION_ENVIRONMENT_MAX_BYTES:,} AWS allows: {settings:,} of settings (env=), the rest the "
                f"physical names of the {len(spec.uses)} resources it uses and Portable's own variables. Use fewer or "
                "shorter settings, fewer resources in this function, or shorter resource names"
            )
        chars = policy_chars(_policy(spec, app, arns))
        if chars > ROLE_POLICY_MAX_CHARS:
            raise AppDefinitionError(
                f"{spec.where} ({spec.name}): its IAM policy would take {chars:,} characters, past the "
                f"{ROLE_POLICY_MAX_CHARS:,} AWS allows a role, for the {len(spec.uses)} resources it reads and writes. "
                "Split it into functions that each use fewer resources, or give the resources shorter names"
            )


def _policy(spec: FunctionSpec, app: App, arns: Arns) -> object:
    own = kind_deployers("aws")[spec.kind].OWN_GRANTS
    return function_policy(
        spec,
        {name: arns.bucket(name) for name in app.buckets},
        {name: arns.table(name) for name in app.tables},
        arns.log_group(spec.name),
        [(sid, actions, arns.granted_on(spec, resource)) for sid, actions, resource in own],
        {name: arns.secret(name) for name in app.secrets},
        {name: arns.queue(name) for name in app.queues},
        {name: arns.topic(name) for name in app.topics},
    )
