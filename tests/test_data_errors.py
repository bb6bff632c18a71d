"""Each cloud's failures become the same portable errors, with messages that name the action and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from portable import bucket
from portable.errors import BackendError, Conflict, InvalidKey, InvalidValue, NotFound, ResourceError, TooLarge
from providers.aws import aws_errors
from providers.gcp import gcp_errors
from tests.backends.fixtures import Backend

NO_CONTAINER = ("the put 'a' failed because the bucket or table does not exist ({}); "
                "deploy the stack, or check the PORTABLE_BUCKET_*/PORTABLE_TABLE_* variable")
DENIED = "put 'a' was denied ({}); is it declared in reads=/writes=?"


def client_error(code: str, message: str = "text from AWS") -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, "PutObject")


@pytest.mark.parametrize(("code", "message", "kind", "text"), [
    ("NoSuchKey", "text from AWS", NotFound, "no object 'a'"),
    ("404", "text from AWS", NotFound, "no object 'a'"),
    ("NotFound", "text from AWS", NotFound, "no object 'a'"),
    ("NoSuchKey", "Item size has exceeded", NotFound, "no object 'a'"),
    ("NoSuchBucket", "text from AWS", NotFound, NO_CONTAINER.format("text from AWS")),
    ("ResourceNotFoundException", "text from AWS", NotFound, NO_CONTAINER.format("text from AWS")),
    ("ConditionalCheckFailedException", "Item size has exceeded", Conflict, "no object 'a'"),
    ("EntityTooLarge", "text from AWS", TooLarge, "put 'a': text from AWS"),
    ("ValidationException", "Item size has exceeded the maximum allowed size", TooLarge,
     "put 'a': Item size has exceeded the maximum allowed size"),
    ("AccessDenied", "Item size has exceeded", TooLarge, "put 'a': Item size has exceeded"),
    ("ValidationException", "An operand type is wrong", InvalidValue, "put 'a': An operand type is wrong"),
    ("KeyTooLongError", "text from AWS", InvalidKey, "put 'a': text from AWS"),
    ("AccessDenied", "text from AWS", BackendError, DENIED.format("text from AWS")),
    ("AccessDeniedException", "text from AWS", BackendError, DENIED.format("text from AWS")),
    ("SlowDown", "text from AWS", BackendError, "put 'a' was throttled or the service failed (SlowDown); retry later"),
    ("ProvisionedThroughputExceededException", "text from AWS", BackendError,
     "put 'a' was throttled or the service failed (ProvisionedThroughputExceededException); retry later"),
    ("SomethingNew", "text from AWS", BackendError, "put 'a' failed: SomethingNew: text from AWS"),
    ("SomethingNew", "", BackendError,
     "put 'a' failed: SomethingNew: An error occurred (SomethingNew) when calling the PutObject operation: "),
])
def test_aws_error_codes_become_portable_errors(code: str, message: str, kind: type[ResourceError],
                                                text: str) -> None:
    error = aws_errors.translate(client_error(code, message), "photos", "put 'a'", "no object 'a'")
    assert type(error) is kind
    assert str(error) == f"photos: {text}"
    assert error.resource == "photos"


def test_an_aws_failure_without_a_reply_is_a_backend_error() -> None:
    from botocore.exceptions import EndpointConnectionError

    error = aws_errors.translate(EndpointConnectionError(endpoint_url="http://nowhere"), "photos", "put 'a'", "")
    assert type(error) is BackendError
    assert str(error) == ('photos: put \'a\' failed: EndpointConnectionError: '
                          'Could not connect to the endpoint URL: "http://nowhere"')


def google_errors() -> list[tuple[Exception, type[ResourceError], str]]:
    import requests
    from google.api_core import exceptions
    from google.auth.exceptions import RefreshError

    throttled = "put 'a' was throttled or the service failed ({}); retry later"
    return [
        (exceptions.NotFound("gone"), NotFound, "no object 'a'"),
        (exceptions.Conflict("exists"), Conflict, "no object 'a'"),
        (exceptions.PreconditionFailed("changed"), Conflict, "no object 'a'"),
        (exceptions.Aborted("contention"), Conflict, "no object 'a'"),
        (exceptions.BadRequest("Request payload size exceeds the limit"), TooLarge,
         "put 'a': Request payload size exceeds the limit"),
        (exceptions.BadRequest("Object size Too Large"), TooLarge, "put 'a': Object size Too Large"),
        (exceptions.BadRequest("size of field is wrong"), InvalidValue, "put 'a': size of field is wrong"),
        (exceptions.BadRequest("bad field"), InvalidValue, "put 'a': bad field"),
        (exceptions.Forbidden("no role"), BackendError, DENIED.format("no role")),
        (exceptions.TooManyRequests("slow down"), BackendError, throttled.format("slow down")),
        (exceptions.ServiceUnavailable("down"), BackendError, throttled.format("down")),
        (exceptions.InternalServerError("oops"), BackendError, throttled.format("oops")),
        (exceptions.Unauthorized("who"), BackendError, "put 'a' failed: Unauthorized: who"),
        (RefreshError("no credentials"), BackendError, "put 'a' failed: RefreshError: no credentials"),
        (requests.ConnectionError("refused"), BackendError, "put 'a' failed: ConnectionError: refused"),
    ]


def test_google_errors_become_portable_errors() -> None:
    for native, kind, text in google_errors():
        error = gcp_errors.translate(native, "photos", "put 'a'", "no object 'a'")
        assert (type(error), str(error), error.resource) == (kind, f"photos: {text}", "photos"), native


def test_a_block_raises_the_portable_error_caused_by_the_cloud_one() -> None:
    native = client_error("NoSuchKey")
    block = aws_errors.translated("photos", "get 'a'", "no object 'a'")
    with pytest.raises(NotFound, match="no object 'a'") as caught, block:
        raise native
    assert caught.value.__cause__ is native

    from google.api_core import exceptions

    with pytest.raises(Conflict) as caught, gcp_errors.translated("photos", "put 'a'", "an item 'a' already exists"):
        raise exceptions.Conflict("exists")
    assert isinstance(caught.value.__cause__, exceptions.Conflict)


@pytest.mark.parametrize("translated", [aws_errors.translated, gcp_errors.translated])
def test_a_block_lets_everything_else_through(translated: Any) -> None:
    own = Conflict("photos", "'a' is not at version 1")
    with pytest.raises(Conflict) as caught, translated("photos", "put 'a'", "no object 'a'"):
        raise own
    assert caught.value is own
    with pytest.raises(KeyError), translated("photos", "put 'a'", "no object 'a'"):
        raise KeyError("ETag")


@pytest.mark.parametrize("backend", ["gcp"], indirect=True)
def test_a_missing_cloud_storage_bucket_names_the_variable_to_check(backend: Backend) -> None:
    photos = bucket("error-photos")
    backend.point_at_missing(photos.spec)
    with pytest.raises(NotFound, match=r"deploy the stack, or check PORTABLE_BUCKET_ERROR_PHOTOS$"):
        photos.put("x", b"x")
