from portable import Request, bucket, http

# Pages of this origin may upload to the bucket and read from it through its signed URLs, straight from a browser.
photos = bucket("photos", cors=["https://app.example.com"])


@http("POST /photos/{name}", writes=[photos])
def upload_link(request: Request) -> dict[str, str]:
    """A URL the page PUTs the photo to, with `Content-Type: image/jpeg`, for the next ten minutes."""
    url = photos.signed_url(request.path_params["name"], method="PUT", expires_in=600, content_type="image/jpeg")
    return {"url": url}
