from pydantic import BaseModel, Field

from portable import http


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    price: float = Field(gt=0, description="In euros.")


class Item(ItemIn):
    id: str


@http("POST /items", status=201, requires=["pydantic>=2.7,<3"])  # the archive carries Pydantic
def create_item(body: ItemIn) -> Item:
    """Add an item to the catalogue."""
    return Item(id=body.name.lower().replace(" ", "-"), **body.model_dump())
