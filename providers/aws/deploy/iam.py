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
    spec: FunctionSpec, bucket_arns: Mapping[str, str], table_arns: Mapping[str, str], log_group_arn: str
) -> Policy:
    """Logs to its own log group; each declared bucket and table with exactly the declared access."""
    statements = [_allow("WriteOwnLogs", LOG_WRITE, [f"{log_group_arn}:*"])]
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
    return {"Version": "2012-10-17", "Statement": statements}


def invoke_policy(function_arn: str) -> Policy:
    return {"Version": "2012-10-17", "Statement": [_allow("InvokeOneFunction", ("lambda:InvokeFunction",),
                                                              [function_arn])]}
