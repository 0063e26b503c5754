"""Due-date arithmetic. Pure functions: nothing here touches the database or tickets.

Business time is counted inside the working spans of a schedule, on dates that are not
holidays, in the schedule's own time zone. Span boundaries are local wall times turned into
instants with ``fold=0`` (a boundary inside a repeated hour means its first occurrence, one
inside a skipped hour is read with the offset from before the change) and all comparisons
are made in UTC, so a day with a daylight-saving change counts the real elapsed time.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How long to look for the next working time before deciding that there is none (a schedule
# whose every working day is a holiday would otherwise loop forever).
SEARCH_LIMIT_DAYS = 3 * 366
# A due date further away than this is a configuration mistake; stop rather than hang a request.
HORIZON_DAYS = 100 * 366

MIDNIGHT = time(0)


@dataclass(frozen=True)
class ScheduleSpec:
    """Everything the arithmetic needs to know about a schedule, as plain values.

    ``spans`` maps a weekday (Monday = 0 … Sunday = 6, as ``date.weekday()``) to its working
    spans as ``(start, end)`` local wall times. An end of 00:00 means midnight at the end of
    the day. ``holidays`` are local dates on which nobody works.
    """

    time_zone: str
    spans: dict[int, list[tuple[time, time]]]
    holidays: frozenset[date] = frozenset()


def add_hours(start: datetime, hours: float) -> datetime:
    """Round-the-clock (24x7) time: the due instant is plain addition."""
    return start + timedelta(hours=hours)


def add_business_hours(start: datetime, hours: float, schedule: ScheduleSpec | None) -> datetime:
    """Return the instant (in UTC) at which ``hours`` of business time after ``start`` are used up.

    ``schedule=None`` means round the clock (24x7): the elapsed time is simply added. Otherwise
    a start outside working hours begins counting at the next span's start, and when the time
    runs out exactly at the end of a span, that end is returned (not the next span's start).
    Zero hours return ``start`` itself, even outside working hours: nothing is added.

    Raises ValueError for a naive start, negative hours, a schedule without working spans,
    when no working time can be found within about three years, or when the due date would be
    more than a century away.
    """
    start_utc = _as_utc(start)
    if hours < 0:
        raise ValueError("hours must not be negative")
    remaining = timedelta(hours=hours)
    if schedule is None:
        return start_utc + remaining
    if not remaining:
        return start_utc
    for span_start, span_end in _working_intervals(schedule, start_utc):
        available = span_end - span_start
        if remaining <= available:
            return span_start + remaining
        remaining -= available
    raise AssertionError("unreachable: the interval generator never ends on its own")


def business_seconds_between(start: datetime, end: datetime, schedule: ScheduleSpec | None) -> float:
    """Return the working time between two instants, in seconds (0 when ``end`` is not after ``start``).

    ``schedule=None`` means round the clock: the elapsed time. Raises ValueError for naive
    datetimes and for a schedule without working spans.
    """
    start_utc, end_utc = _as_utc(start), _as_utc(end)
    if end_utc <= start_utc:
        return 0.0
    if schedule is None:
        return (end_utc - start_utc).total_seconds()
    last_day = end_utc.astimezone(ZoneInfo(schedule.time_zone)).date() + timedelta(days=1)
    total = timedelta()
    for span_start, span_end in _working_intervals(schedule, start_utc, last_day=last_day):
        if span_start >= end_utc:
            break
        total += min(span_end, end_utc) - span_start
    return total.total_seconds()


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("business-time arithmetic needs timezone-aware datetimes")
    return instant.astimezone(UTC)


def _merged_spans(schedule: ScheduleSpec) -> dict[int, list[tuple[time, time | None]]]:
    """Sort each weekday's spans and merge overlapping or touching ones; an end of None is midnight.

    The admin refuses overlapping spans, but the arithmetic must not count an hour twice if a
    caller builds a spec by hand.
    """
    merged: dict[int, list[tuple[time, time | None]]] = {}
    for weekday, spans in schedule.spans.items():
        day: list[tuple[time, time | None]] = []
        for raw_start, raw_end in sorted(spans, key=lambda span: _wall(span[0])):
            span_start = _wall(raw_start)
            span_end = None if _wall(raw_end) == MIDNIGHT else _wall(raw_end)
            if span_end is not None and span_end <= span_start:
                continue
            if day and (day[-1][1] is None or day[-1][1] >= span_start):
                previous_start, previous_end = day[-1]
                later_end = None if None in (previous_end, span_end) else max(previous_end, span_end)
                day[-1] = (previous_start, later_end)
            else:
                day.append((span_start, span_end))
        if day:
            merged[weekday] = day
    return merged


def _wall(value: time) -> time:
    # Only the wall-clock reading counts; any tzinfo or fold on the input is ignored.
    return value.replace(tzinfo=None, fold=0)


def _working_intervals(
    schedule: ScheduleSpec, after: datetime, *, last_day: date | None = None
) -> Iterator[tuple[datetime, datetime]]:
    """Yield the working intervals (UTC start, UTC end) after ``after``, in order.

    The first interval is clipped so that it begins no earlier than ``after``.

    Without ``last_day`` the generator is endless, except that it raises ValueError when it
    finds no working time for SEARCH_LIMIT_DAYS days in a row or passes HORIZON_DAYS.
    """
    spans = _merged_spans(schedule)
    if not spans:
        raise ValueError("schedule has no working hours")
    zone = ZoneInfo(schedule.time_zone)
    # Start a day early: with DST changes at midnight, yesterday's span can end after today began.
    day = after.astimezone(zone).date() - timedelta(days=1)
    horizon = day + timedelta(days=HORIZON_DAYS)
    cursor = after
    idle_days = 0
    while last_day is None or day <= last_day:
        found = False
        if day not in schedule.holidays:
            for span_start, span_end in spans.get(day.weekday(), ()):
                begins = datetime.combine(day, span_start, tzinfo=zone).astimezone(UTC)
                end_day = day if span_end is not None else day + timedelta(days=1)
                ends = datetime.combine(end_day, span_end or MIDNIGHT, tzinfo=zone).astimezone(UTC)
                # Never yield time twice or backwards (possible only around odd DST changes).
                begins = max(begins, cursor)
                if ends > begins:
                    found = True
                    cursor = ends
                    yield begins, ends
        idle_days = 0 if found else idle_days + 1
        if last_day is None and idle_days > SEARCH_LIMIT_DAYS:
            raise ValueError(f"no working time found in the {SEARCH_LIMIT_DAYS} days before {day}")
        if last_day is None and day > horizon:
            raise ValueError(f"the due date would be more than {HORIZON_DAYS // 366} years away")
        day += timedelta(days=1)
