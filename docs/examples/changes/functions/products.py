from portable import Request, TableChange, http, log, table

products = table("products")
price_history = table("price-history")


@http("PUT /products/{sku}", writes=[products])
def save_product(request: Request) -> dict[str, str]:
    return {"version": products.put(request.path_params["sku"], request.json())}


@products.on_written(writes=[price_history])  # created, updated and deleted alike
def record_price(change: TableChange) -> None:
    old_price = (change.old or {}).get("price")
    new_price = (change.new or {}).get("price")
    if old_price != new_price:
        # change.id is the same on every delivery of this change: a repeat writes the same entry again
        entry = {"sku": change.key, "from": old_price, "to": new_price, "at": change.time.isoformat()}
        price_history.put(change.id, entry)


@products.on_deleted(prefix="tea-")  # only the items whose key starts with tea-
def tea_retired(change: TableChange) -> None:
    log.info("tea retired", sku=change.key, last_price=(change.old or {}).get("price"))
