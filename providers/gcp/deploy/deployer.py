"""The GCP deployer: Cloud Functions gen2, API Gateway, Cloud Storage + Eventarc,
Cloud Scheduler, Firestore, Pub/Sub.

`plan` checks everything and builds the archives; `deploy` registers the resources.
"""

from __future__ import annotations

import pulumi

from portable.app import App, MessageTrigger, ObjectTrigger, ResourceSpec, has_trigger
from providers.deploy.http_config import with_stack_overrides
from providers.deploy.plan import Deployer, Outputs, Plan, StackInfo, compile_schedules
from providers.deploy.resources import api_document, served_document, stack_outputs
from providers.gcp.deploy.buckets import allow_storage_to_publish, create_buckets, event_trigger, grant_bucket_access
from providers.gcp.deploy.functions import allow_invoker, create_function, create_source_bucket, dead_letter_filter
from providers.gcp.deploy.http_api import create_http_api
from providers.gcp.deploy.iam import allow_event_delivery, allow_url_signing, service_account
from providers.gcp.deploy.messaging import create_topics, grant_publishing, refuse_delays, service_agent, subscribe
from providers.gcp.deploy.package import build_archive
from providers.gcp.deploy.schedule_expressions import cloud_scheduler_schedule
from providers.gcp.deploy.schedules import create_job
from providers.gcp.deploy.secrets import create_secrets, grant_secret_access
from providers.gcp.deploy.services import enable_services
from providers.gcp.deploy.settings import GcpSettings
from providers.gcp.deploy.settings import read_settings as read_gcp_settings
from providers.gcp.deploy.tables import collection_names, create_database, grant_table_access


class GcpDeployer(Deployer[GcpSettings]):
    def read_settings(self, info: StackInfo) -> GcpSettings:
        return read_gcp_settings(info)

    def plan(self, app: App, info: StackInfo, settings: GcpSettings) -> Plan[GcpSettings]:
        app = with_stack_overrides(app)
        refuse_delays(app)
        schedules = compile_schedules(app, cloud_scheduler_schedule, "Cloud Scheduler")
        archives = {
            name: build_archive(spec, app.resources, info.python_version)
            for name, spec in sorted(app.functions.items())
        }
        return Plan(app, info, settings, archives, schedules)

    def deploy(self, plan: Plan[GcpSettings]) -> Outputs:
        app, settings, info = plan.app, plan.settings, plan.info
        stack = info.stack
        services = enable_services(app, settings.project, settings.domain)
        after_services = pulumi.ResourceOptions(depends_on=services)
        buckets = create_buckets(
            app.buckets, settings, info, after_services, {name: app.signed_url_cors(name) for name in app.buckets}
        )
        collections = collection_names(app.tables, stack)
        database = create_database(settings, info, after_services) if app.tables else None
        secrets = create_secrets(app.secrets, settings, after_services)
        source_bucket = create_source_bucket(settings, after_services)
        publisher = allow_storage_to_publish(settings, after_services) if app.object_functions() else None
        topics = create_topics([*app.queues, *app.topics], settings, stack, after_services)
        agent = service_agent(settings) if app.message_functions() else None
        message_dead_letters = {}
        physical: dict[ResourceSpec, pulumi.Input[str]] = {
            **{ResourceSpec("bucket", name): bucket.name for name, bucket in buckets.items()},
            **{ResourceSpec("table", name): collection for name, collection in collections.items()},
            **{ResourceSpec("secret", name): deployed.path for name, deployed in secrets.items()},
            **{ResourceSpec(app.resources[name].kind, name): topic.name for name, topic in topics.items()},
        }
        functions = {}
        for name, spec in sorted(app.functions.items()):
            account = service_account(name, "function", settings.project, stack, after_services)
            grants: list[pulumi.Resource] = [*grant_bucket_access(spec, buckets, account.member)]
            if grants:
                grants.append(allow_url_signing(name, account))
            table_grant = grant_table_access(spec, app.tables, account.member, settings)
            grants += [resource for resource in (table_grant, database) if resource is not None]
            grants += grant_secret_access(spec, secrets, account.member, settings)
            grants += grant_publishing(spec, topics, account.member, settings)
            invoker = None
            trigger = None
            if has_trigger(spec, ObjectTrigger) and publisher is not None:
                invoker = service_account(name, "invoker", settings.project, stack, after_services)
                grants.append(allow_event_delivery(name, invoker.member, settings.project))
                grants.append(publisher)
                trigger = event_trigger(spec, buckets, invoker.email, settings)
            elif name in plan.schedules or has_trigger(spec, MessageTrigger):
                invoker = service_account(name, "invoker", settings.project, stack, after_services)
            function = create_function(
                spec,
                plan.archives[name],
                settings,
                plan.info.python_version,
                source_bucket,
                account,
                physical,
                trigger,
                pulumi.ResourceOptions(depends_on=[*services, *grants]),
                cors=app.cors,
            )
            functions[name] = function
            if invoker is None:
                continue
            invoker_grant = allow_invoker(f"{name}-invoker", function, invoker.member, settings)
            if has_trigger(spec, MessageTrigger) and agent is not None:
                message_dead_letters[name] = subscribe(
                    spec,
                    topics[spec.trigger.source],
                    function,
                    invoker,
                    agent,
                    settings,
                    pulumi.ResourceOptions(depends_on=[*services, invoker_grant]),
                ).name
            if name in plan.schedules:
                create_job(
                    spec,
                    plan.schedules[name],
                    function,
                    invoker.email,
                    settings,
                    pulumi.ResourceOptions(depends_on=[*services, invoker_grant]),
                )
        http_specs = app.http_functions()
        api_url, domain_target = (
            create_http_api(http_specs, functions, settings, after_services, app.cors, api_document(app))
            if http_specs
            else (None, None)
        )
        return stack_outputs(
            api_url,
            api_document=served_document(app, api_url),
            domain_target=domain_target,
            functions={name: function.name for name, function in functions.items()},
            buckets={name: bucket.name for name, bucket in buckets.items()},
            tables=dict(collections),
            dead_letters={
                **{spec.name: dead_letter_filter(functions[spec.name]) for spec in app.object_functions()},
                **message_dead_letters,
            },
        )


DEPLOYER = GcpDeployer()
