from portable import ObjectEvent, Request, bucket, http, table

uploads = bucket("uploads")  # S3 bucket / Cloud Storage bucket / local SQLite file
word_counts = table("word-counts")  # DynamoDB table / Firestore collection / local SQLite file


@http("PUT /files/{name}", writes=[uploads])
def upload(request: Request) -> dict[str, object]:
    info = uploads.put(request.path_params["name"], request.body, metadata={"source": "api"})
    return {"key": info.key, "size": info.size, "content_type": info.content_type}


@http("GET /files/{name}/link", reads=[uploads])
def download_link(request: Request) -> dict[str, str]:
    return {"url": uploads.signed_url(request.path_params["name"], expires_in=600)}


@uploads.on_created(suffix=".txt", writes=[word_counts])  # the trigger's bucket is readable without reads=
def count_words(event: ObjectEvent) -> None:
    word_counts.put(event.key, {"words": len(uploads.get(event.key).split()), "bytes": event.size})


@uploads.on_deleted(writes=[word_counts])
def forget_words(event: ObjectEvent) -> None:
    word_counts.delete(event.key)
