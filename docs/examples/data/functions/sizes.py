import contextvars
from concurrent.futures import ThreadPoolExecutor

from portable import Request, bucket, http

archive = bucket("archive")


@http("POST /archive/sizes", reads=[archive])
def sizes(request: Request) -> dict[str, int]:
    keys = request.json()
    with ThreadPoolExecutor(max_workers=4) as pool:
        # Each task runs in a copy of the call's context, where the handles find the function and its clients.
        futures = [pool.submit(contextvars.copy_context().run, archive.head, key) for key in keys]
        return {info.key: info.size for info in (future.result() for future in futures)}
