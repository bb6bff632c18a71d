"""How often an object or schedule event is tried, and for how long: one policy for every target.

A failed event is tried again after a backoff, up to `attempts` tries in all, and never once
it is older than `max_age_seconds`; then it is dead-lettered. The limits are the strictest
cloud's: Lambda's asynchronous invocation, which runs both object events and schedules on AWS
(EventBridge Scheduler invokes Lambda asynchronously too).
"""

from __future__ import annotations

from portable.errors import AppDefinitionError
from portable.events import whole_number
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from datetime import datetime

# Lambda retries an asynchronous event 0 to 2 times (Cloud Scheduler allows 0 to 5).
MAX_ATTEMPTS = 3
# Lambda keeps an asynchronous event 60 s to 6 h (EventBridge Scheduler and Eventarc allow up to 24 h).
MIN_AGE_SECONDS = 60
MAX_AGE_SECONDS = 6 * 3600
# The backoff Lambda applies and no AWS service lets us change: 1 minute before the second attempt,
# 2 before the third. Cloud Scheduler and the local runner are given the same doubling, up to this cap.
FIRST_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 600


class RetryPolicy(NamedTuple):
    """`attempts` tries in all (1 = no retry), none started once the event is `max_age_seconds` old.

    Attributes:
        attempts: Tries in all, 1 to 3; 1 is no retry.
        max_age_seconds: No try starts once the event is this old: 60 to 21600 (6 hours).
    """

    attempts: int = 3
    max_age_seconds: int = 3600

    def delay_before(self, attempt: int) -> int:
        """Seconds to wait before attempt number `attempt`, once the attempt before it failed.

        Nothing before the first; then FIRST_BACKOFF_SECONDS, doubling up to MAX_BACKOFF_SECONDS.
        """
        if attempt <= 1:
            return 0
        return min(FIRST_BACKOFF_SECONDS << (attempt - 2), MAX_BACKOFF_SECONDS)

    def expired(self, event_time: datetime, now: datetime) -> bool:
        """Whether an event that happened at `event_time` is too old to be tried at `now`."""
        return (now - event_time).total_seconds() > self.max_age_seconds

    def check(self, where: str) -> RetryPolicy:
        """The policy itself if every target can run it; otherwise AppDefinitionError naming the fix."""
        attempts, max_age = self.attempts, self.max_age_seconds
        if not whole_number(attempts) or not 1 <= attempts <= MAX_ATTEMPTS:
            raise AppDefinitionError(
                f"{where}: retries=RetryPolicy(attempts={attempts!r}) cannot run on AWS, where Lambda tries an "
                f"event at most {MAX_ATTEMPTS} times; use a whole number from 1 (no retry) to {MAX_ATTEMPTS}"
            )
        if not whole_number(max_age) or not MIN_AGE_SECONDS <= max_age <= MAX_AGE_SECONDS:
            raise AppDefinitionError(
                f"{where}: retries=RetryPolicy(max_age_seconds={max_age!r}) cannot run on AWS, where Lambda keeps "
                f"an event from {MIN_AGE_SECONDS} s to {MAX_AGE_SECONDS} s (6 hours); use a whole number of seconds "
                "in that range"
            )
        return self


DEFAULT_RETRIES = RetryPolicy()
