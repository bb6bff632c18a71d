from portable import ScheduleEvent, schedule, table

runs = table("runs")


@schedule("30 2 * * MON-FRI", timezone="America/Sao_Paulo", writes=[runs])  # cron, in an IANA time zone
def nightly_report(event: ScheduleEvent) -> None:
    # event.time is when the firing was due (UTC); event.id is "<name>@<time>", the same on every retry
    runs.put(event.id, {"function": event.name, "due": event.time.isoformat()})


@schedule(every="15 minutes", writes=[runs])  # a fixed rate: at :00, :15, :30 and :45 UTC
def poll(event: ScheduleEvent) -> None:
    runs.put(event.id, {"function": event.name, "due": event.time.isoformat()})


@schedule("0 9 * * MON", timezone="Europe/Berlin", writes=[runs])  # every Monday at 09:00 in Berlin ...
def first_monday(event: ScheduleEvent) -> None:
    if event.time.day > 7:  # ... and only the month's first Monday goes on (09:00 in Berlin is that day in UTC too)
        return
    runs.put(event.id, {"function": event.name, "due": event.time.isoformat()})
