"""The scheduled pattern: at 02:00 UTC, report yesterday's greetings as JSON and CSV in `reports`."""

import csv
import io
import json
from datetime import timedelta

from portable import ScheduleEvent, bucket, log, schedule, table

greetings = table("greetings")
reports = bucket("reports")


@schedule("0 2 * * *", timezone="UTC", reads=[greetings], writes=[reports])
def nightly_report(event: ScheduleEvent) -> None:
    day = (event.time - timedelta(days=1)).date().isoformat()
    rows = sorted(
        (
            {"key": item.key, "name": item.value.get("name"), "at": item.value.get("at")}
            for item in greetings.query(f"{day}/")
        ),
        key=lambda row: str(row["at"]),
    )
    summary = {"date": day, "total": len(rows), "by_name": _count_by_name(rows), "greetings": rows}
    reports.put(
        f"greetings/{day}.json",
        json.dumps(summary, ensure_ascii=False, indent=2).encode(),
        content_type="application/json",
    )
    reports.put(f"greetings/{day}.csv", _csv(rows), content_type="text/csv")
    log.info("report written", date=day, greetings=len(rows))


def _count_by_name(rows: list[dict[str, object]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["name"])] = counts.get(str(row["name"]), 0) + 1
    return dict(sorted(counts.items()))


def _csv(rows: list[dict[str, object]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=["at", "name", "key"], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()
