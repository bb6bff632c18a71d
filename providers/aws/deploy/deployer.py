"""The AWS deployer: Lambda, API Gateway HTTP API, S3, EventBridge Scheduler, DynamoDB, SQS and SNS.

`plan` checks everything and builds the archives; `deploy` registers the resources.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from portable.app import App, FunctionSpec
from providers.aws.deploy.buckets import check_notifications, connect_notifications, create_buckets
from providers.aws.deploy.dead_letters import create_dead_letter_queue, retry_async_invocations
from providers.aws.deploy.functions import create_function
from providers.aws.deploy.http_api import create_http_api
from providers.aws.deploy.limits import check_function_limits
from providers.aws.deploy.messaging import create_messaging, map_event_source
from providers.aws.deploy.package import WheelTarget, build_archive
from providers.aws.deploy.schedule_expressions import scheduler_expression
from providers.aws.deploy.schedules import create_schedule
from providers.aws.deploy.secrets import create_secrets
from providers.aws.deploy.settings import AwsSettings
from providers.aws.deploy.settings import read_settings as read_aws_settings
from providers.aws.deploy.tables import create_tables
from providers.deploy.http_config import with_stack_overrides
from providers.deploy.plan import Deployer, Outputs, Plan, StackInfo, compile_schedules
from providers.deploy.resources import data_options, served_document, stack_outputs


class AwsDeployer(Deployer[AwsSettings]):
    def read_settings(self, info: StackInfo) -> AwsSettings:
        return read_aws_settings(info)

    def plan(self, app: App, info: StackInfo, settings: AwsSettings) -> Plan[AwsSettings]:
        check_notifications(app)
        schedules = compile_schedules(app, scheduler_expression, "EventBridge Scheduler")
        app = with_stack_overrides(app)
        check_function_limits(app, info, pulumi.Config("aws").get("region"))
        target = WheelTarget.for_lambda(info.python_version, settings.architecture)
        archives = {name: build_archive(spec, target) for name, spec in sorted(app.functions.items())}
        return Plan(app, info, settings, archives, schedules)

    def deploy(self, plan: Plan[AwsSettings]) -> Outputs:
        app, info = plan.app, plan.info
        account_id = aws.get_caller_identity_output().account_id
        tables = create_tables(app.tables, info)
        buckets = create_buckets(app.buckets, info, {name: app.signed_url_cors(name) for name in app.buckets})
        secrets = create_secrets(app.secrets)
        event_specs: list[FunctionSpec] = [*app.object_functions(), *app.schedule_functions()]
        dead_letters = {spec.name: create_dead_letter_queue(spec, data_options(info)) for spec in event_specs}
        messaging = create_messaging(app, data_options(info))
        functions = {
            name: create_function(
                spec,
                plan.archives[name],
                plan.settings,
                info.python_version,
                buckets,
                tables,
                dead_letters.get(name),
                secrets,
                messaging,
                app.cors,
            )
            for name, spec in sorted(app.functions.items())
        }
        for spec in app.message_functions():
            map_event_source(spec, functions[spec.name], messaging.consumers[spec.name])
        async_invokes = {
            spec.name: retry_async_invocations(spec, functions[spec.name], dead_letters[spec.name])
            for spec in event_specs
        }
        http_specs = app.http_functions()
        api_url, domain_target = (
            create_http_api(http_specs, functions, plan.settings, app.cors) if http_specs else (None, None)
        )
        connect_notifications(app, buckets, functions, account_id, async_invokes)
        for name, expression in sorted(plan.schedules.items()):
            create_schedule(
                app.functions[name],
                expression,
                functions[name],
                account_id,
                dead_letters[name],
                async_invokes[name],
            )
        return stack_outputs(
            api_url,
            api_document=served_document(app, api_url),
            domain_target=domain_target,
            functions={name: function.name for name, function in functions.items()},
            buckets={name: bucket.bucket for name, bucket in buckets.items()},
            tables={name: table.name for name, table in tables.items()},
            dead_letters={
                **{name: queue.url for name, queue in sorted(dead_letters.items())},
                **{name: consumer.dead_letters.url for name, consumer in sorted(messaging.consumers.items())},
            },
        )


DEPLOYER = AwsDeployer()
