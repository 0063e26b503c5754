"""Properties of the business-time arithmetic that must hold for any schedule, start and duration."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sla.duedates import ScheduleSpec, add_business_hours, business_seconds_between

# Bounded so that the fast suite stays fast; no example database in the working tree.
bounded = settings(max_examples=200, deadline=None, database=None)

# Zones with the awkward cases: DST at 02:00 and 03:00, at midnight (Havana, Santiago), half-hour
# DST (Lord Howe), southern-hemisphere DST, odd offsets (Kathmandu, Chatham) and none at all.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Havana",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
]
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2028, 12, 31)


@st.composite
def day_spans(draw):
    """Non-overlapping spans on a quarter-hour grid; 24:00 is written as 00:00 (midnight)."""
    quarters = draw(st.lists(st.integers(0, 96), min_size=0, max_size=6, unique=True))
    quarters.sort()
    if len(quarters) % 2:
        quarters.pop()

    def wall(quarter):
        return time(0) if quarter == 96 else time(quarter // 4, quarter % 4 * 15)

    return [(wall(a), wall(b)) for a, b in zip(quarters[::2], quarters[1::2], strict=True)]


@st.composite
def schedules(draw):
    spans = {day: draw(day_spans()) for day in range(7)}
    assume(any(spans.values()))
    holidays = draw(st.frozensets(st.dates(FIRST_DAY, LAST_DAY), max_size=40))
    return ScheduleSpec(time_zone=draw(st.sampled_from(ZONES)), spans=spans, holidays=holidays)


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.sampled_from([UTC])
)
hours = st.one_of(st.integers(0, 60), st.floats(0, 60, allow_nan=False, allow_infinity=False))
positive_hours = st.one_of(st.integers(1, 60), st.floats(0.001, 60))


def in_working_time_or_at_a_span_end(instant: datetime, schedule: ScheduleSpec) -> bool:
    """Re-derived from the definition: the instant lies within [start, end] of a working span."""
    zone = ZoneInfo(schedule.time_zone)
    local_day = instant.astimezone(zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        if day in schedule.holidays:
            continue
        for start, end in schedule.spans.get(day.weekday(), []):
            begins = datetime.combine(day, start, tzinfo=zone)
            ends = datetime.combine(day + timedelta(days=1) if end == time(0) else day, end, tzinfo=zone)
            if begins <= instant <= ends:
                return True
    return False


@bounded
@given(schedules(), instants, instants, hours)
def test_a_later_start_never_gives_an_earlier_due_date(schedule, first, second, duration):
    earlier, later = sorted([first, second])
    assert add_business_hours(earlier, duration, schedule) <= add_business_hours(later, duration, schedule)


@bounded
@given(schedules(), instants, hours, hours)
def test_more_hours_never_give_an_earlier_due_date(schedule, start, first, second):
    shorter, longer = sorted([first, second])
    assert add_business_hours(start, shorter, schedule) <= add_business_hours(start, longer, schedule)


@bounded
@given(schedules(), instants, positive_hours)
def test_the_due_date_lies_in_working_time_or_exactly_at_a_span_end(schedule, start, duration):
    due = add_business_hours(start, duration, schedule)
    assert due > start
    assert in_working_time_or_at_a_span_end(due, schedule)


@bounded
@given(schedules(), instants, hours)
def test_the_working_time_up_to_the_due_date_is_the_duration(schedule, start, duration):
    due = add_business_hours(start, duration, schedule)
    assert abs(business_seconds_between(start, due, schedule) - duration * 3600) < 1


@bounded
@given(instants, hours, st.sampled_from(ZONES))
def test_round_the_clock_is_plain_addition(start, duration, zone):
    expected = start + timedelta(hours=duration)
    assert add_business_hours(start, duration, None) == expected
    # The same instant written in another zone gives the same due instant.
    assert add_business_hours(start.astimezone(ZoneInfo(zone)), duration, None) == expected


@bounded
@given(instants, hours, st.sampled_from(ZONES))
def test_a_schedule_working_all_day_every_day_is_round_the_clock(start, duration, zone):
    always = ScheduleSpec(zone, {day: [(time(0), time(0))] for day in range(7)}, frozenset())
    assert add_business_hours(start, duration, always) == start + timedelta(hours=duration)


@bounded
@given(schedules(), instants, instants)
def test_working_time_between_never_exceeds_the_elapsed_time(schedule, first, second):
    start, end = sorted([first, second])
    assert 0 <= business_seconds_between(start, end, schedule) <= (end - start).total_seconds()
