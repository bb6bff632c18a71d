"""Each cloud's failures become the same portable errors (providers/data_errors.py, sorted by aws/aws_errors.py and
gcp/gcp_errors.py), with messages that name the action and the fix."""

from __future__ import annotations

from types import ModuleType

import pytest
import requests
from botocore.exceptions import ClientError, EndpointConnectionError
from google.api_core import exceptions as google
from google.auth.exceptions import RefreshError

from portable.errors import BackendError, Conflict, InvalidKey, InvalidValue, NotFound, ResourceError, TooLarge
from providers.aws import aws_errors
from providers.gcp import gcp_errors

MISSING = "no object 'a'"
NO_CONTAINER = (
    "the put 'a' failed because the bucket, table or secret does not exist (text from AWS); "
    "deploy the stack, or check the PORTABLE_BUCKET_*/PORTABLE_TABLE_*/PORTABLE_SECRET_* variable"
)
DENIED = "put 'a' was denied ({}); is it declared in reads=/writes=?"
THROTTLED = "put 'a' was throttled or the service failed ({}); retry later"
OVERSIZED = "Item size has exceeded the maximum allowed size"


def aws(code: str, message: str = "text from AWS") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "PutObject")


AWS_FAILURES: list[tuple[Exception, type[ResourceError], str]] = [
    (aws("NoSuchKey"), NotFound, MISSING),
    (aws("404"), NotFound, MISSING),
    (aws("NotFound"), NotFound, MISSING),
    (aws("NoSuchKey", OVERSIZED), NotFound, MISSING),
    (aws("NoSuchBucket"), NotFound, NO_CONTAINER),
    (aws("ResourceNotFoundException"), NotFound, NO_CONTAINER),
    (aws("ConditionalCheckFailedException", OVERSIZED), Conflict, MISSING),
    (aws("EntityTooLarge"), TooLarge, "put 'a': text from AWS"),
    (aws("ValidationException", OVERSIZED), TooLarge, f"put 'a': {OVERSIZED}"),
    (aws("AccessDenied", OVERSIZED), TooLarge, f"put 'a': {OVERSIZED}"),
    (aws("ValidationException"), InvalidValue, "put 'a': text from AWS"),
    (aws("KeyTooLongError"), InvalidKey, "put 'a': text from AWS"),
    (aws("AccessDenied"), BackendError, DENIED.format("text from AWS")),
    (aws("AccessDeniedException"), BackendError, DENIED.format("text from AWS")),
    (aws("SlowDown"), BackendError, THROTTLED.format("SlowDown")),
    (
        aws("ProvisionedThroughputExceededException"),
        BackendError,
        THROTTLED.format("ProvisionedThroughputExceededException"),
    ),
    (aws("SomethingNew"), BackendError, "put 'a' failed: SomethingNew: text from AWS"),
    (
        aws("SomethingNew", ""),
        BackendError,
        "put 'a' failed: SomethingNew: An error occurred (SomethingNew) when calling the PutObject operation: ",
    ),
    (
        EndpointConnectionError(endpoint_url="http://nowhere"),
        BackendError,
        "put 'a' failed: EndpointConnectionError: Could not connect to the endpoint URL: \"http://nowhere\"",
    ),
]

GOOGLE_FAILURES: list[tuple[Exception, type[ResourceError], str]] = [
    (google.NotFound("gone"), NotFound, MISSING),
    (google.Conflict("exists"), Conflict, MISSING),
    (google.PreconditionFailed("changed"), Conflict, MISSING),
    (google.Aborted("contention"), Conflict, MISSING),
    (
        google.BadRequest("Request payload size exceeds the limit"),
        TooLarge,
        "put 'a': Request payload size exceeds the limit",
    ),
    (google.BadRequest("Object size Too Large"), TooLarge, "put 'a': Object size Too Large"),
    (google.BadRequest("size of field is wrong"), InvalidValue, "put 'a': size of field is wrong"),
    (google.BadRequest("bad field"), InvalidValue, "put 'a': bad field"),
    (google.Forbidden("no role"), BackendError, DENIED.format("no role")),
    (google.TooManyRequests("slow down"), BackendError, THROTTLED.format("slow down")),
    (google.ServiceUnavailable("down"), BackendError, THROTTLED.format("down")),
    (google.InternalServerError("oops"), BackendError, THROTTLED.format("oops")),
    (google.Unauthorized("who"), BackendError, "put 'a' failed: Unauthorized: who"),
    (RefreshError("no credentials"), BackendError, "put 'a' failed: RefreshError: no credentials"),
    (requests.ConnectionError("refused"), BackendError, "put 'a' failed: ConnectionError: refused"),
]


@pytest.mark.parametrize(
    ("cloud", "native", "kind", "text"),
    [(aws_errors, *case) for case in AWS_FAILURES] + [(gcp_errors, *case) for case in GOOGLE_FAILURES],
)
def test_a_cloud_failure_in_a_block_is_raised_as_the_portable_error(
    cloud: ModuleType, native: Exception, kind: type[ResourceError], text: str
) -> None:
    with pytest.raises(ResourceError) as caught, cloud.translated("photos", "put 'a'", MISSING):
        raise native
    error = caught.value
    assert (type(error), str(error), error.resource) == (kind, f"photos: {text}", "photos")
    assert error.__cause__ is native


@pytest.mark.parametrize("cloud", [aws_errors, gcp_errors])
def test_a_block_lets_everything_else_through(cloud: ModuleType) -> None:
    own = Conflict("photos", "'a' is not at version 1")
    with pytest.raises(Conflict) as caught, cloud.translated("photos", "put 'a'", MISSING):
        raise own
    assert caught.value is own
    with pytest.raises(KeyError), cloud.translated("photos", "put 'a'", MISSING):
        raise KeyError("ETag")
