from portable import HttpError, Request, http, setting, table

albums = table("albums")


@http(
    "GET /albums/{album}",
    name="get-album",  # the function's name; default: the Python function's name
    reads=[albums],  # the buckets, tables, queues, topics and secrets it reads
    memory_mb=512,  # 128 to 10240; default 256
    timeout_seconds=10,  # 1 to 540; default 30 for HTTP, 60 for events
    env={"PAGE_SIZE": "20"},  # plain settings, read with setting(name)
)
def get_album(request: Request) -> dict[str, object]:
    album = albums.get(request.path_params["album"])
    if album is None:
        raise HttpError(404, "no such album")
    page_size = int(setting("PAGE_SIZE"))
    return {"title": album["title"], "photos": album["photos"][:page_size]}
