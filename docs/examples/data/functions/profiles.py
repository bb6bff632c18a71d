from portable import Conflict, Request, http, table

profiles = table("profiles")
visits = table("visits")


@http("POST /pages/{page}/visits", writes=[visits])
def count_visit(request: Request) -> dict[str, int]:
    # atomic: concurrent increments never lose an update
    return {"visits": visits.increment(request.path_params["page"], "count")}


@http("POST /profiles/{user}/tags", writes=[profiles])
def add_tag(request: Request) -> dict[str, list[str]]:
    user, tag = request.path_params["user"], request.text
    while True:  # an optimistic update: read, change, write only if nobody wrote meanwhile
        item = profiles.get_item(user)
        tags = sorted({*(item.value["tags"] if item else []), tag})
        try:
            if item is None:
                profiles.put(user, {"tags": tags}, if_absent=True)
            else:
                profiles.put(user, {**item.value, "tags": tags}, if_version=item.version)
        except Conflict:
            continue  # another call wrote first: read again
        return {"tags": tags}
