"""The app through its generated client. In the app's folder:

portable client --python notes-client
portable dev &
PYTHONPATH=notes-client python scripts/call_client.py
"""

import sys

from notes_client import Client
from notes_client.api.items import create_item
from notes_client.api.notes import get_note, put_note
from notes_client.models import ItemIn, NoteIn


def main(base_url: str = "http://127.0.0.1:8080") -> None:
    client = Client(base_url=base_url)
    note = put_note.sync(note_id=7, client=client, body=NoteIn(title="Groceries", tags=["home"]))
    print(note.id, note.title, note.tags)  # typed: a Note, not a dict
    print(get_note.sync(note_id=7, client=client).title)
    item = create_item.sync(client=client, body=ItemIn(name="Tea pot", price=12.5))
    print(item.id, item.price)
    refused = put_note.sync_detailed(note_id=7, client=client, body=NoteIn.from_dict({"title": 7}))
    print(refused.status_code, [error.location for error in refused.parsed.errors])


if __name__ == "__main__":
    main(*sys.argv[1:])
