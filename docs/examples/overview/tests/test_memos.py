def test_a_saved_memo_has_its_size_recorded(portable_app):
    reply = portable_app.http("PUT", "/memos/today", body="Buy milk")
    assert reply.json() == {"saved": "today"}
    assert portable_app.table("memo-sizes").get("today") == {"bytes": 8}  # record_size ran before http returned
