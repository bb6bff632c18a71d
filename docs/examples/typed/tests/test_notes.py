def test_a_note_is_saved_and_read_back(portable_app):
    saved = portable_app.http("PUT", "/notes/7", json={"title": "Groceries", "tags": ["home"]})
    assert saved.json() == {"id": 7, "title": "Groceries", "text": "", "tags": ["home"]}
    assert portable_app.http("GET", "/notes?tag=home&limit=5").json() == [saved.json()]


def test_a_body_that_does_not_fit_is_a_422_naming_each_field(portable_app):
    reply = portable_app.http("PUT", "/notes/7", json={"tags": "home"})
    assert reply.status == 422
    assert reply.json()["errors"] == [
        {"location": "body.title", "message": "Field required", "type": "missing"},
        {"location": "body.tags", "message": "Input should be a valid list", "type": "list_type"},
    ]


def test_path_and_query_values_are_converted_or_refused(portable_app):
    reply = portable_app.http("GET", "/notes/seven?unused=1")
    assert reply.status == 422 and reply.json()["errors"][0]["location"] == "path.note_id"
    assert portable_app.http("GET", "/notes?limit=many").json()["errors"][0]["type"] == "int_parsing"


def test_pydantic_models_are_checked_by_pydantic(portable_app):
    created = portable_app.http("POST", "/items", json={"name": "Tea pot", "price": 12.5})
    assert (created.status, created.json()) == (201, {"name": "Tea pot", "price": 12.5, "id": "tea-pot"})
    refused = portable_app.http("POST", "/items", json={"name": "", "price": 0})
    assert [error["type"] for error in refused.json()["errors"]] == ["string_too_short", "greater_than"]
