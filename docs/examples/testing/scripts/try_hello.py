"""The test kit outside pytest: python scripts/try_hello.py"""

from portable.testing import Kit


def main() -> None:
    with Kit("gcp") as kit:  # the functions/ package, through the GCP shim, on local data of its own
        reply = kit.http("POST", "/hello", json={"name": "Ada"})
        print(reply.status, reply.json())


if __name__ == "__main__":
    main()
