from portable import ObjectEvent, RetryPolicy, bucket

photos = bucket("photos")


@photos.on_created(retries=RetryPolicy(attempts=5))
def index(event: ObjectEvent) -> None:
    print(event.key)
