"""The GCP deployer: Cloud Functions gen2, API Gateway, Cloud Storage + Eventarc, Cloud Scheduler, Firestore (and its
Eventarc triggers), Pub/Sub.

`plan` checks everything and builds the archives; `deploy` registers the resources. What is particular to
a kind of trigger is that kind's deploy module (`<kind>_triggers.py`), which the deployer reaches through
the registry (`portable/triggers.py`) and never by testing a function's kind.
"""

from __future__ import annotations

import pulumi

from portable.app import App, ResourceSpec
from providers.deploy.http_config import with_stack_overrides
from providers.deploy.metrics import metrics_environment
from providers.deploy.plan import Deployer, Outputs, Plan, StackInfo, kind_deployers, plan_triggers
from providers.deploy.resources import served_document, stack_outputs
from providers.gcp.deploy.buckets import create_buckets, grant_bucket_access
from providers.gcp.deploy.deployment import GcpDeployment
from providers.gcp.deploy.functions import allow_invoker, create_function, create_source_bucket
from providers.gcp.deploy.iam import allow_url_signing, service_account
from providers.gcp.deploy.messaging import create_topics, grant_publishing
from providers.gcp.deploy.metrics import create_log_metrics, namespace
from providers.gcp.deploy.package import build_archive
from providers.gcp.deploy.secrets import create_secrets, grant_secret_access
from providers.gcp.deploy.services import enable_services
from providers.gcp.deploy.settings import GcpSettings
from providers.gcp.deploy.settings import read_settings as read_gcp_settings
from providers.gcp.deploy.tables import (
    collection_names,
    create_database,
    expire_idempotency_keys,
    grant_table_access,
)

CLOUD = "gcp"


class GcpDeployer(Deployer[GcpSettings]):
    def read_settings(self, info: StackInfo) -> GcpSettings:
        return read_gcp_settings(info)

    def plan(self, app: App, info: StackInfo, settings: GcpSettings) -> Plan[GcpSettings]:
        app = with_stack_overrides(app)
        triggers = plan_triggers(CLOUD, app, settings)
        archives = {
            name: build_archive(spec, app.resources, info.python_version)
            for name, spec in sorted(app.functions.items())
        }
        return Plan(app, info, settings, archives, triggers)

    def deploy(self, plan: Plan[GcpSettings]) -> Outputs:
        app, settings, info = plan.app, plan.settings, plan.info
        stack = info.stack
        kinds = kind_deployers(CLOUD)
        deployment = GcpDeployment(plan, enable_services(app, settings.project, settings.domain))
        after_services = deployment.after_services
        deployment.buckets = create_buckets(
            app.buckets, settings, info, after_services, {name: app.signed_url_cors(name) for name in app.buckets}
        )
        deployment.collections = collection_names(app.tables, stack)
        deployment.database = create_database(settings, info, after_services) if app.tables else None
        expire_idempotency_keys(
            deployment.collections,
            settings,
            pulumi.ResourceOptions(depends_on=[*deployment.services, *filter(None, [deployment.database])]),
        )
        secrets = create_secrets(app.secrets, settings, after_services)
        source_bucket = create_source_bucket(settings, after_services)
        deployment.topics = create_topics([*app.queues, *app.topics], settings, stack, after_services)
        deployment.physical = {
            **{ResourceSpec("bucket", name): bucket.name for name, bucket in deployment.buckets.items()},
            **{ResourceSpec("table", name): collection for name, collection in deployment.collections.items()},
            **{ResourceSpec("secret", name): deployed.path for name, deployed in secrets.items()},
            **{ResourceSpec(app.resources[name].kind, name): topic.name for name, topic in deployment.topics.items()},
        }
        for kind in kinds.values():
            kind.prepare(deployment)
        space = namespace(info.project, stack)
        create_log_metrics(app, space, settings, after_services)
        for name, spec in sorted(app.functions.items()):
            kind = kinds[spec.kind]
            account = service_account(name, "function", settings.project, stack, after_services)
            grants: list[pulumi.Resource] = [*grant_bucket_access(spec, deployment.buckets, account.member)]
            if grants:
                grants.append(allow_url_signing(name, account))
            table_grant = grant_table_access(spec, app.tables, account.member, settings)
            grants += [resource for resource in (table_grant, deployment.database) if resource is not None]
            grants += grant_secret_access(spec, secrets, account.member, settings)
            grants += grant_publishing(spec, deployment.topics, account.member, settings)
            wiring = kind.wire(deployment, spec)
            function = deployment.functions[name] = create_function(
                spec,
                plan.archives[name],
                settings,
                info.python_version,
                source_bucket,
                account,
                deployment.physical,
                wiring.event_trigger,
                pulumi.ResourceOptions(depends_on=[*deployment.services, *grants, *wiring.grants]),
                cors=app.cors,
                extra_environment=metrics_environment(app, space),
            )
            if wiring.invoker is not None:
                invoker_grant = allow_invoker(f"{name}-invoker", function, wiring.invoker.member, settings)
                kind.connect(deployment, spec, wiring, invoker_grant)
        for kind in kinds.values():
            kind.finish(deployment)
        return stack_outputs(
            deployment.api_url,
            api_document=served_document(deployment.app, deployment.api_url),
            domain_target=deployment.domain_target,
            functions={name: function.name for name, function in deployment.functions.items()},
            buckets={name: bucket.name for name, bucket in deployment.buckets.items()},
            tables=dict(deployment.collections),
            dead_letters=dict(sorted(deployment.dead_letters.items())),
        )


DEPLOYER = GcpDeployer()
