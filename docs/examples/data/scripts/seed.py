"""Fill the local tables before `portable dev`: python scripts/seed.py"""

from portable import table
from portable.context import using_clients
from providers.local.clients import client_for

visits = table("visits")


def seed() -> None:
    with using_clients(client_for):  # code outside a function names the clients its handles use
        for page in ("home", "about"):
            visits.put(page, {"count": 0})


if __name__ == "__main__":
    seed()
