"""The AWS deployer: Lambda, API Gateway HTTP API, S3, EventBridge Scheduler, DynamoDB (and its streams), SQS and
SNS.

`plan` checks everything and builds the archives; `deploy` registers the resources. What is particular to
a kind of trigger is that kind's deploy module (`<kind>_triggers.py`), which the deployer reaches through
the registry (`portable/triggers.py`) and never by testing a function's kind.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from portable.app import App
from providers.aws.deploy.buckets import create_buckets
from providers.aws.deploy.deployment import AwsDeployment
from providers.aws.deploy.functions import create_functions
from providers.aws.deploy.limits import check_function_limits
from providers.aws.deploy.messaging import create_messaging
from providers.aws.deploy.package import WheelTarget, build_archive
from providers.aws.deploy.secrets import create_secrets
from providers.aws.deploy.settings import AwsSettings
from providers.aws.deploy.settings import read_settings as read_aws_settings
from providers.aws.deploy.tables import create_tables
from providers.deploy.http_config import with_stack_overrides
from providers.deploy.plan import Deployer, Outputs, Plan, StackInfo, kind_deployers, plan_triggers
from providers.deploy.resources import data_options, served_document, stack_outputs

CLOUD = "aws"


class AwsDeployer(Deployer[AwsSettings]):
    def read_settings(self, info: StackInfo) -> AwsSettings:
        return read_aws_settings(info)

    def plan(self, app: App, info: StackInfo, settings: AwsSettings) -> Plan[AwsSettings]:
        triggers = plan_triggers(CLOUD, app, settings)
        app = with_stack_overrides(app)
        check_function_limits(app, info, pulumi.Config("aws").get("region"))
        target = WheelTarget.for_lambda(info.python_version, settings.architecture)
        archives = {name: build_archive(spec, target) for name, spec in sorted(app.functions.items())}
        return Plan(app, info, settings, archives, triggers)

    def deploy(self, plan: Plan[AwsSettings]) -> Outputs:
        app, info = plan.app, plan.info
        kinds = kind_deployers(CLOUD)
        deployment = AwsDeployment(plan, aws.get_caller_identity_output().account_id)
        for kind in kinds.values():
            kind.declare(deployment)
        deployment.tables = create_tables(app.tables, info, deployment.table_options)
        deployment.buckets = create_buckets(
            app.buckets, info, {name: app.signed_url_cors(name) for name in app.buckets}
        )
        deployment.secrets = create_secrets(app.secrets)
        deployment.messaging = create_messaging(app, data_options(info))
        for kind in kinds.values():
            kind.prepare(deployment)
        deployment.functions = create_functions(deployment)
        for kind in kinds.values():
            kind.connect(deployment)
        return stack_outputs(
            deployment.api_url,
            api_document=served_document(deployment.app, deployment.api_url),
            domain_target=deployment.domain_target,
            functions={name: function.name for name, function in deployment.functions.items()},
            buckets={name: bucket.bucket for name, bucket in deployment.buckets.items()},
            tables={name: table.name for name, table in deployment.tables.items()},
            dead_letters=dict(sorted(deployment.dead_letters.items())),
        )


DEPLOYER = AwsDeployer()
