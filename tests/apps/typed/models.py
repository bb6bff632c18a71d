"""Typed routes validated by Pydantic: models for the body, the query and the reply."""

from __future__ import annotations

from pydantic import BaseModel, Field

from portable import http


class ItemIn(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)


class ItemOut(BaseModel):
    id: int
    name: str
    price: float


class ItemsQuery(BaseModel):
    limit: int = Field(default=10, le=100)
    tag: list[str] = []


@http("POST /items", status=201)
def create_item(body: ItemIn) -> ItemOut:
    return ItemOut(id=1, name=body.name, price=body.price)


@http("GET /items")
def list_items(query: ItemsQuery) -> list[ItemOut]:
    return [ItemOut(id=index, name=",".join(query.tag), price=1.0) for index in range(query.limit)]


@http("GET /items/{item_id}")
def get_item(item_id: int) -> ItemOut:
    return ItemOut.model_construct(id=item_id, name=None, price="free")  # type: ignore[arg-type]
