"""IAM policy documents for Lambda functions and their schedules: only what each function declares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portable.app import FunctionSpec

BUCKET_READ = ("s3:GetObject",)
BUCKET_LIST = ("s3:ListBucket",)
# Multipart uploads (large puts) run under s3:PutObject, but abandoning one needs its own action.
BUCKET_WRITE = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
# A prefix past the first "/" is a Query on one partition; a shorter prefix is a filtered Scan of the table.
TABLE_READ = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan")
TABLE_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
LOG_WRITE = ("logs:CreateLogStream", "logs:PutLogEvents")
DEAD_LETTER_SEND = ("sqs:SendMessage",)
# What a Lambda event source mapping does with the function's role on the DynamoDB stream it reads.
STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")
SECRET_READ = ("secretsmanager:GetSecretValue",)
QUEUE_SEND = ("sqs:SendMessage",)
TOPIC_PUBLISH = ("sns:Publish",)
# What a Lambda event source mapping does with the function's role on the queue it polls; the shim also changes
# the visibility of failed messages there (the portable backoff).
QUEUE_RECEIVE = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility")

Policy = dict[str, Any]


def assume_role_policy(service: str, account_id: str | None = None) -> Policy:
    """Who may take the role: one AWS service, optionally only on behalf of this account."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if account_id is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _allow(sid: str, actions: tuple[str, ...], resources: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}


def _sid(prefix: str, name: str) -> str:
    return prefix + "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def function_policy(
    spec: FunctionSpec,
    bucket_arns: Mapping[str, str],
    table_arns: Mapping[str, str],
    log_group_arn: str,
    grants: list[tuple[str, tuple[str, ...], str]],
    secret_arns: Mapping[str, str] | None = None,
    queue_arns: Mapping[str, str] | None = None,
    topic_arns: Mapping[str, str] | None = None,
) -> Policy:
    """Logs to its own log group; what its trigger needs (`grants`, as (sid, actions, ARN), from its kind's deploy
    module: its own dead-letter queue, the queue or stream it reads); each declared bucket, table, secret, queue
    and topic with exactly the declared access."""
    statements = [_allow("WriteOwnLogs", LOG_WRITE, [f"{log_group_arn}:*"])]
    statements += [_allow(sid, actions, [arn]) for sid, actions, arn in grants]
    for name in sorted(spec.uses & bucket_arns.keys()):
        arn = bucket_arns[name]
        statements.append(_allow(_sid("ListBucket", name), BUCKET_LIST, [arn]))
        statements.append(_allow(_sid("ReadBucket", name), BUCKET_READ, [f"{arn}/*"]))
        if name in spec.writes:
            statements.append(_allow(_sid("WriteBucket", name), BUCKET_WRITE, [f"{arn}/*"]))
    for name in sorted(spec.uses & table_arns.keys()):
        arn = table_arns[name]
        statements.append(_allow(_sid("ReadTable", name), TABLE_READ, [arn]))
        if name in spec.writes:
            statements.append(_allow(_sid("WriteTable", name), TABLE_WRITE, [arn]))
    secrets = secret_arns or {}
    for name in sorted(spec.reads & secrets.keys()):
        statements.append(_allow(_sid("ReadSecret", name), SECRET_READ, [secrets[name]]))
    queues, topics = queue_arns or {}, topic_arns or {}
    statements += [
        _allow(_sid("SendQueue", name), QUEUE_SEND, [queues[name]]) for name in sorted(spec.writes & queues.keys())
    ]
    statements += [
        _allow(_sid("PublishTopic", name), TOPIC_PUBLISH, [topics[name]])
        for name in sorted(spec.writes & topics.keys())
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def scheduler_policy(function_arn: str, dead_letter_arn: str) -> Policy:
    """A schedule's role: invoke its one function, and send what it could not deliver to that function's queue."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            _allow("InvokeOneFunction", ("lambda:InvokeFunction",), [function_arn]),
            _allow("SendOwnDeadLetters", DEAD_LETTER_SEND, [dead_letter_arn]),
        ],
    }
