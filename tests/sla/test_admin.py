from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from sla.models import SLA, Holiday, Schedule, WorkingSpan
from tests.conftest import ScheduleFactory, SLAFactory

# Friday 2026-03-06, 16:00 in Berlin.
FRIDAY_AFTERNOON = datetime(2026, 3, 6, 15, tzinfo=UTC)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def schedule_form(*, name="Berlin office", time_zone="Europe/Berlin", spans=(), holidays=()):
    data = {"name": name, "time_zone": time_zone}
    data.update(_inline("spans", [{"weekday": d, "start": s, "end": e} for d, s, e in spans]))
    data.update(_inline("holidays", [{"name": n, "start": s, "end": e} for n, s, e in holidays]))
    return data


def _inline(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


OFFICE_HOURS = [(day, "09:00", "17:00") for day in range(5)]


def add_schedule(client, **form):
    return client.post(reverse("admin:sla_schedule_add"), schedule_form(**form))


def test_admin_creates_a_schedule_with_working_spans_and_a_holiday(admin_client):
    response = add_schedule(
        admin_client,
        spans=[*OFFICE_HOURS, (5, "10:00", "12:00"), (5, "13:00", "15:00")],
        holidays=[("Christmas", "2026-12-24", "2026-12-26"), ("New Year", "2027-01-01", "")],
    )

    assert response.status_code == 302
    schedule = Schedule.objects.get(name="Berlin office")
    assert schedule.time_zone == "Europe/Berlin"
    assert [(span.weekday, span.start, span.end) for span in schedule.spans.all()][-2:] == [
        (5, time(10), time(12)),
        (5, time(13), time(15)),
    ]
    assert schedule.spans.count() == 7
    assert len(schedule.spec().holidays) == 4


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"spans": []}, "A schedule needs at least one working span"),
        (
            {"spans": [*OFFICE_HOURS, (1, "16:00", "18:00")]},
            "Working spans on Tuesday overlap: 09:00–17:00 and 16:00–18:00",
        ),
        ({"spans": [(2, "17:00", "09:00")]}, "The end must be after the start"),
        ({"spans": [(2, "09:00", "09:00")]}, "The end must be after the start"),
        ({"spans": OFFICE_HOURS, "time_zone": "Europe/Atlantis"}, "Unknown time zone"),
        (
            {"spans": OFFICE_HOURS, "holidays": [("Backwards", "2026-12-26", "2026-12-24")]},
            "The last day must not be before the first day",
        ),
    ],
    ids=["no spans", "overlapping spans", "end before start", "empty span", "unknown zone", "holiday backwards"],
)
def test_admin_refuses_a_bad_schedule_and_creates_nothing(admin_client, form, message):
    response = add_schedule(admin_client, **form)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Schedule.objects.exists()
    assert not WorkingSpan.objects.exists()
    assert not Holiday.objects.exists()


def test_touching_spans_and_a_span_until_midnight_are_fine(admin_client):
    response = add_schedule(admin_client, spans=[(0, "09:00", "12:00"), (0, "12:00", "00:00"), (1, "00:00", "06:00")])
    assert response.status_code == 302
    assert Schedule.objects.get().spans.count() == 3


def test_removing_every_span_of_a_schedule_is_refused(admin_client):
    schedule = ScheduleFactory(spans=[(0, "09:00", "17:00")])
    span = schedule.spans.get()
    data = schedule_form(name=schedule.name)
    data.update(
        {
            "spans-TOTAL_FORMS": 1,
            "spans-INITIAL_FORMS": 1,
            "spans-0-id": span.pk,
            "spans-0-schedule": schedule.pk,
            "spans-0-weekday": 0,
            "spans-0-start": "09:00",
            "spans-0-end": "17:00",
            "spans-0-DELETE": "on",
        }
    )
    response = admin_client.post(reverse("admin:sla_schedule_change", args=[schedule.pk]), data)

    assert "A schedule needs at least one working span" in response.content.decode()
    assert schedule.spans.exists()


def test_schedule_list_shows_zone_weekly_hours_and_use(admin_client, django_assert_max_num_queries):
    schedule = ScheduleFactory(name="Berlin office")
    schedule.holidays.create(name="Christmas", start=date(2026, 12, 25))
    SLAFactory(schedule=schedule)
    ScheduleFactory(name="New York office", time_zone="America/New_York", spans=[(0, "09:00", "12:30")])

    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("admin:sla_schedule_changelist")).content.decode()

    assert "Berlin office" in page and "Europe/Berlin" in page and "40 h" in page
    assert "New York office" in page and "3.5 h" in page


def test_a_schedule_in_use_cannot_be_deleted_in_admin(admin_client):
    schedule = ScheduleFactory()
    SLAFactory(name="Standard", schedule=schedule)

    response = admin_client.post(reverse("admin:sla_schedule_delete", args=[schedule.pk]), {"post": "yes"})

    assert "protected" in response.content.decode()
    assert Schedule.objects.filter(pk=schedule.pk).exists()


def sla_form(**fields):
    return {"name": "Business", "first_response_hours": 4, "resolution_hours": 16, "schedule": "", **fields}


def test_admin_creates_an_sla_on_a_schedule(admin_client):
    schedule = ScheduleFactory()
    response = admin_client.post(reverse("admin:sla_sla_add"), sla_form(schedule=schedule.pk, is_active="on"))
    assert response.status_code == 302
    assert SLA.objects.get(name="Business").schedule == schedule


@pytest.mark.parametrize("field", ["first_response_hours", "resolution_hours"])
@pytest.mark.parametrize("hours", [-4, 0])
def test_admin_refuses_an_sla_without_positive_hours(admin_client, field, hours):
    response = admin_client.post(reverse("admin:sla_sla_add"), sla_form(**{field: hours}))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert "Ensure this value is greater than or equal to" in response.content.decode()
    assert not SLA.objects.exists()


@time_machine.travel(FRIDAY_AFTERNOON, tick=False)
def test_sla_page_previews_due_dates_in_the_schedule_time_zone(admin_client):
    sla = SLAFactory(first_response_hours=2, resolution_hours=16, schedule=ScheduleFactory())

    page = admin_client.get(reverse("admin:sla_sla_change", args=[sla.pk])).content.decode()

    # Friday 16:00: one hour left on Friday, then Monday; 16 h run to Tuesday 16:00.
    assert (
        "A ticket opened now would get its first response by Mon 9 Mar 2026, 10:00 "
        "and be due by Tue 10 Mar 2026, 16:00 (Europe/Berlin time)." in page
    )


@time_machine.travel(FRIDAY_AFTERNOON, tick=False)
def test_sla_page_previews_round_the_clock_due_dates(admin_client, settings):
    settings.TIME_ZONE = "UTC"
    sla = SLAFactory(first_response_hours=4, resolution_hours=24)

    page = admin_client.get(reverse("admin:sla_sla_change", args=[sla.pk])).content.decode()

    assert (
        "A ticket opened now would get its first response by Fri 6 Mar 2026, 19:00 "
        "and be due by Sat 7 Mar 2026, 15:00 (UTC time)." in page
    )


def test_new_sla_page_asks_to_save_for_a_preview(admin_client):
    page = admin_client.get(reverse("admin:sla_sla_add")).content.decode()
    assert "Save to see a preview" in page


def test_sla_list_shows_the_schedule_or_round_the_clock(admin_client):
    SLAFactory(name="Business", schedule=ScheduleFactory(name="Berlin office"))
    SLAFactory(name="Always")

    page = admin_client.get(reverse("admin:sla_sla_changelist")).content.decode()
    assert "Berlin office" in page and "24×7" in page

    filtered = admin_client.get(reverse("admin:sla_sla_changelist"), {"schedule__isnull": "True"}).content.decode()
    assert "Always" in filtered and "Business" not in filtered


def test_sla_page_explains_when_no_preview_is_possible(admin_client):
    sla = SLAFactory(schedule=ScheduleFactory(spans=[]))
    page = admin_client.get(reverse("admin:sla_sla_change", args=[sla.pk])).content.decode()
    assert "No preview: schedule has no working hours." in page


def test_every_span_inside_a_longer_one_is_reported(admin_client):
    response = add_schedule(admin_client, spans=[(3, "08:00", "18:00"), (3, "10:00", "11:00"), (3, "12:00", "13:00")])
    page = response.content.decode()
    assert "Working spans on Thursday overlap: 08:00–18:00 and 10:00–11:00" in page
    assert "Working spans on Thursday overlap: 08:00–18:00 and 12:00–13:00" in page
    assert not Schedule.objects.exists()
