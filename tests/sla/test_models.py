from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from sla.duedates import ScheduleSpec
from sla.models import Holiday, Schedule, WorkingSpan
from tests.conftest import ScheduleFactory, SLAFactory

pytestmark = pytest.mark.django_db


def test_spec_holds_the_spans_by_weekday_and_every_holiday_date(django_assert_num_queries):
    schedule = ScheduleFactory(
        time_zone="America/New_York", spans=[(0, "09:00", "12:00"), (0, "13:00", "17:00"), (5, "10:00", "14:00")]
    )
    schedule.holidays.create(name="New Year", start=date(2027, 1, 1))
    schedule.holidays.create(name="Shutdown", start=date(2026, 12, 24), end=date(2026, 12, 26))

    with django_assert_num_queries(2):
        spec = schedule.spec()

    assert spec == ScheduleSpec(
        time_zone="America/New_York",
        spans={0: [(time(9), time(12)), (time(13), time(17))], 5: [(time(10), time(14))]},
        holidays=frozenset([date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)]),
    )


def test_spec_of_prefetched_schedules_needs_no_queries(django_assert_num_queries):
    ScheduleFactory()
    schedule = Schedule.objects.prefetch_related("spans", "holidays").get()
    with django_assert_num_queries(0):
        assert len(schedule.spec().spans) == 5


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="Unknown time zone"):
        Schedule(name="Mars base", time_zone="Mars/Olympus_Mons").full_clean()
    with pytest.raises(ValidationError, match="Unknown time zone"):
        Schedule(name="Sneaky", time_zone="../../etc/passwd").full_clean()


def test_a_span_ending_before_it_starts_is_refused_by_validation_and_by_the_database():
    schedule = ScheduleFactory(spans=[])
    span = WorkingSpan(schedule=schedule, weekday=0, start=time(17), end=time(9))
    with pytest.raises(ValidationError, match="The end must be after the start"):
        span.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        span.save()


def test_a_span_may_end_at_midnight():
    schedule = ScheduleFactory(spans=[])
    span = WorkingSpan(schedule=schedule, weekday=5, start=time(18), end=time(0))
    span.full_clean()
    assert span.duration == timedelta(hours=6)


def test_a_holiday_ending_before_it_starts_is_refused_by_validation_and_by_the_database():
    holiday = Holiday(schedule=ScheduleFactory(), name="Oops", start=date(2026, 12, 26), end=date(2026, 12, 24))
    with pytest.raises(ValidationError, match="The last day must not be before the first day"):
        holiday.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        holiday.save()


def test_a_holiday_without_a_last_day_is_a_single_day():
    assert Holiday(name="Labour Day", start=date(2026, 5, 1)).dates() == [date(2026, 5, 1)]


def test_a_schedule_in_use_by_an_sla_cannot_be_deleted():
    schedule = ScheduleFactory()
    SLAFactory(schedule=schedule)
    with pytest.raises(ProtectedError):
        schedule.delete()


def test_an_sla_without_a_schedule_runs_round_the_clock():
    assert SLAFactory().schedule is None
