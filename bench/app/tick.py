"""A scheduled function in a named time zone, for the cold-start benchmarks and import checks."""

from portable import ScheduleEvent, schedule


@schedule("30 3 * * *", timezone="Europe/Berlin")
def tick(event: ScheduleEvent) -> None:
    del event
