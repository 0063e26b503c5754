from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.duedates import ScheduleSpec, add_business_hours, add_hours, business_seconds_between

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = range(5)


def office(zone="Europe/Berlin", spans=((time(9), time(17)),), holidays=()):
    return ScheduleSpec(time_zone=zone, spans={day: list(spans) for day in WEEKDAYS}, holidays=frozenset(holidays))


OFFICE = office()


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


def due_in_berlin(start, hours, schedule=OFFICE):
    return add_business_hours(start, hours, schedule).astimezone(BERLIN)


def test_time_left_on_friday_carries_over_the_weekend_to_monday():
    # Friday 2026-03-06 16:00 + 2 h: one hour on Friday, one on Monday.
    assert due_in_berlin(berlin(2026, 3, 6, 16), 2) == berlin(2026, 3, 9, 10)


def test_counting_starts_on_monday_morning_for_a_ticket_opened_on_saturday():
    assert due_in_berlin(berlin(2026, 3, 7, 11, 30), 2) == berlin(2026, 3, 9, 11)


def test_counting_starts_at_nine_for_a_ticket_opened_at_eight():
    assert due_in_berlin(berlin(2026, 3, 10, 8), 1) == berlin(2026, 3, 10, 10)


def test_counting_starts_next_morning_for_a_ticket_opened_in_the_evening():
    assert due_in_berlin(berlin(2026, 3, 10, 20), 1) == berlin(2026, 3, 11, 10)


def test_a_full_working_day_is_eight_hours():
    assert due_in_berlin(berlin(2026, 3, 10, 9), 8) == berlin(2026, 3, 10, 17)
    assert due_in_berlin(berlin(2026, 3, 10, 9), 40) == berlin(2026, 3, 16, 17)


def test_time_used_up_exactly_at_the_end_of_a_span_returns_that_end_not_the_next_morning():
    assert due_in_berlin(berlin(2026, 3, 10, 15), 2) == berlin(2026, 3, 10, 17)
    assert due_in_berlin(berlin(2026, 3, 6, 16), 1) == berlin(2026, 3, 6, 17)


def test_the_lunch_break_of_split_spans_does_not_count():
    split = office(spans=[(time(9), time(12)), (time(13), time(17))])
    assert due_in_berlin(berlin(2026, 3, 10, 11), 2, split) == berlin(2026, 3, 10, 14)
    assert due_in_berlin(berlin(2026, 3, 10, 12, 15), 1, split) == berlin(2026, 3, 10, 14)
    assert due_in_berlin(berlin(2026, 3, 10, 11), 1, split) == berlin(2026, 3, 10, 12)


def test_spans_may_be_given_in_any_order():
    shuffled = office(spans=[(time(13), time(17)), (time(9), time(12))])
    assert due_in_berlin(berlin(2026, 3, 10, 11), 2, shuffled) == berlin(2026, 3, 10, 14)


def test_overlapping_spans_are_not_counted_twice():
    overlapping = office(spans=[(time(9), time(13)), (time(12), time(17))])
    assert due_in_berlin(berlin(2026, 3, 10, 9), 8, overlapping) == berlin(2026, 3, 10, 17)


def test_a_holiday_on_monday_moves_the_due_date_to_tuesday():
    easter = office(holidays=[date(2026, 4, 6)])
    assert due_in_berlin(berlin(2026, 4, 3, 16), 2, easter) == berlin(2026, 4, 7, 10)


def test_a_range_of_holidays_is_skipped_entirely():
    christmas = office(holidays=[date(2026, 12, 24) + timedelta(days=offset) for offset in range(9)])
    assert due_in_berlin(berlin(2026, 12, 23, 16), 2, christmas) == berlin(2027, 1, 4, 10)


def test_the_spring_daylight_saving_change_keeps_nine_oclock_local():
    # Berlin moves to summer time on Sunday 2026-03-29.
    due = due_in_berlin(berlin(2026, 3, 27, 16), 2)
    assert due == berlin(2026, 3, 30, 10)
    assert due.utcoffset() == timedelta(hours=2)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, tzinfo=UTC)


def test_the_autumn_daylight_saving_change_keeps_nine_oclock_local():
    # Berlin returns to standard time on Sunday 2026-10-25.
    due = due_in_berlin(berlin(2026, 10, 23, 16), 2)
    assert due == berlin(2026, 10, 26, 10)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 9, tzinfo=UTC)


def test_a_night_shift_over_the_spring_change_counts_the_real_hours():
    # 01:00–04:00 local on 2026-03-29 is only two real hours: 02:00–03:00 never happens.
    night = ScheduleSpec("Europe/Berlin", {6: [(time(1), time(4))]}, frozenset())
    start = berlin(2026, 3, 29, 1)
    assert business_seconds_between(start, berlin(2026, 3, 29, 4), night) == 2 * 3600
    assert due_in_berlin(start, 2, night) == berlin(2026, 3, 29, 4)


def test_a_night_shift_over_the_autumn_change_counts_the_real_hours():
    # 01:00–04:00 local on 2026-10-25 is four real hours: 02:00–03:00 happens twice.
    night = ScheduleSpec("Europe/Berlin", {6: [(time(1), time(4))]}, frozenset())
    start = berlin(2026, 10, 25, 1)
    assert business_seconds_between(start, berlin(2026, 10, 25, 4), night) == 4 * 3600
    assert due_in_berlin(start, 4, night) == berlin(2026, 10, 25, 4)


def test_a_span_boundary_inside_the_skipped_hour_is_read_with_the_offset_before_the_change():
    # 02:30 does not exist on 2026-03-29; fold=0 reads it as 02:30 CET, i.e. 03:30 CEST.
    odd = ScheduleSpec("Europe/Berlin", {6: [(time(2, 30), time(5))]}, frozenset())
    due = add_business_hours(berlin(2026, 3, 29, 0), 1, odd)
    assert due == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)


def test_a_new_york_schedule_counts_in_new_york_time():
    new_york = office(zone="America/New_York")
    # Friday 2026-03-06 16:00 EST + 2 h → Monday 10:00 EDT (New York changed clocks on 03-08).
    due = add_business_hours(datetime(2026, 3, 6, 16, tzinfo=NEW_YORK), 2, new_york)
    assert due == datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert due.astimezone(NEW_YORK) == datetime(2026, 3, 9, 10, tzinfo=NEW_YORK)


def test_the_start_may_be_given_in_any_time_zone():
    # 15:00 UTC on a Tuesday in March is 16:00 in Berlin.
    assert due_in_berlin(datetime(2026, 3, 10, 15, tzinfo=UTC), 2) == berlin(2026, 3, 11, 10)


def test_the_result_is_in_utc():
    assert add_business_hours(berlin(2026, 3, 10, 9), 1, OFFICE).tzinfo is UTC


def test_without_a_schedule_the_clock_runs_round_the_clock():
    start = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)
    assert add_business_hours(start, 26.5, None) == start + timedelta(hours=26.5)
    assert add_business_hours(start, 26.5, None) == add_hours(start, 26.5)


def test_round_the_clock_counts_real_hours_across_a_daylight_saving_change():
    start = berlin(2026, 3, 28, 12)
    assert add_business_hours(start, 24, None).astimezone(BERLIN) == berlin(2026, 3, 29, 13)


def test_an_end_of_midnight_means_the_end_of_the_day():
    evening = ScheduleSpec("Europe/Berlin", {5: [(time(18), time(0))]}, frozenset())
    assert due_in_berlin(berlin(2026, 3, 7, 18), 6, evening) == berlin(2026, 3, 8, 0)
    assert due_in_berlin(berlin(2026, 3, 7, 18), 7, evening) == berlin(2026, 3, 14, 19)


def test_zero_hours_inside_working_time_return_the_start():
    start = berlin(2026, 3, 10, 10, 15)
    assert add_business_hours(start, 0, OFFICE) == start


def test_zero_hours_outside_working_time_also_return_the_start():
    start = berlin(2026, 3, 7, 10)
    assert add_business_hours(start, 0, OFFICE) == start


def test_fractions_of_an_hour_are_counted():
    assert due_in_berlin(berlin(2026, 3, 10, 16, 45), 0.5) == berlin(2026, 3, 11, 9, 15)


def test_a_schedule_without_working_spans_is_refused():
    for empty in (ScheduleSpec("Europe/Berlin", {}, frozenset()), ScheduleSpec("UTC", {0: []}, frozenset())):
        with pytest.raises(ValueError, match="schedule has no working hours"):
            add_business_hours(berlin(2026, 3, 10, 9), 1, empty)
        with pytest.raises(ValueError, match="schedule has no working hours"):
            business_seconds_between(berlin(2026, 3, 10, 9), berlin(2026, 3, 11, 9), empty)


def test_a_schedule_that_is_all_holidays_gives_up_instead_of_looping_forever():
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=offset) for offset in range(5 * 366))
    with pytest.raises(ValueError, match="no working time found"):
        add_business_hours(berlin(2026, 3, 10, 9), 1, office(holidays=every_day))


def test_a_long_duration_may_run_for_years_on_a_sparse_schedule():
    # One hour a week: 200 hours take almost four years, which is not "no working time".
    weekly = ScheduleSpec("UTC", {0: [(time(9), time(10))]}, frozenset())
    due = add_business_hours(datetime(2026, 1, 5, 9, tzinfo=UTC), 200, weekly)
    assert due == datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(weeks=199)


def test_naive_datetimes_and_negative_hours_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_hours(datetime(2026, 3, 10, 9), 1, OFFICE)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_seconds_between(datetime(2026, 3, 10, 9), berlin(2026, 3, 10, 10), OFFICE)
    with pytest.raises(ValueError, match="negative"):
        add_business_hours(berlin(2026, 3, 10, 9), -1, OFFICE)


def test_working_time_between_two_instants_skips_nights_weekends_and_holidays():
    easter = office(holidays=[date(2026, 4, 6)])
    # Thursday 16:00 → Tuesday 10:00: Thu 1 h, Fri 8 h, Mon holiday, Tue 1 h.
    assert business_seconds_between(berlin(2026, 4, 2, 16), berlin(2026, 4, 7, 10), easter) == 10 * 3600


def test_working_time_between_instants_outside_working_hours():
    assert business_seconds_between(berlin(2026, 3, 7, 10), berlin(2026, 3, 8, 10), OFFICE) == 0
    assert business_seconds_between(berlin(2026, 3, 9, 7), berlin(2026, 3, 9, 20), OFFICE) == 8 * 3600


def test_working_time_between_is_zero_when_the_end_is_not_after_the_start():
    assert business_seconds_between(berlin(2026, 3, 10, 12), berlin(2026, 3, 10, 10), OFFICE) == 0
    assert business_seconds_between(berlin(2026, 3, 10, 12), berlin(2026, 3, 10, 12), None) == 0


def test_working_time_between_without_a_schedule_is_the_elapsed_time():
    assert business_seconds_between(berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12), None) == 23 * 3600


def test_working_time_between_spans_years_of_holidays_without_giving_up():
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=offset) for offset in range(5 * 366))
    # The holidays end on Saturday 2031-01-04; Monday and Tuesday morning are working time.
    start, end = berlin(2026, 3, 10, 9), berlin(2031, 1, 7, 12)
    assert business_seconds_between(start, end, office(holidays=every_day)) == (8 + 3) * 3600


def test_a_due_date_more_than_a_century_away_is_refused_quickly():
    one_minute_a_week = ScheduleSpec("UTC", {0: [(time(9), time(9, 1))]}, frozenset())
    with pytest.raises(ValueError, match="more than 100 years away"):
        add_business_hours(datetime(2026, 1, 5, 9, tzinfo=UTC), 100_000, one_minute_a_week)
