"""A table change function, for the per-call and cold-start benchmarks: it takes each change under in/."""

from portable import TableChange, table

tallies = table("tallies")


@tallies.on_written(prefix="in/")
def changed(change: TableChange) -> None:
    del change
