"""The desk's bounded pagination: it counts and pages only up to a cap (DESK_COUNT_CAP)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tickets import services
from tickets.models import Priority, Ticket
from tickets.queues import SORT_KEYS

from ..conftest import SLAFactory
from .test_desk import numbers_on

DESK = reverse("tickets:desk")
CAP = 50


@pytest.fixture
def cap(settings):
    settings.DESK_COUNT_CAP = CAP
    return CAP


def many(end_user, topic, n: int) -> list[Ticket]:
    """`n` open tickets opened at the same moment with the same priority: every sort has ties."""
    first = services.open_ticket(requester=end_user, topic=topic, subject="First", body="x", notify=False)
    now = timezone.now()
    sla = SLAFactory()
    Ticket.objects.bulk_create(
        Ticket(
            number=str(30_000_000 + i),
            subject=f"Bulk {i}",
            requester=end_user,
            help_topic=topic,
            department=first.department,
            priority=Priority.NORMAL,
            sla=sla if i % 3 else None,  # some without a due date
            due_at=now + timedelta(hours=i % 4) if i % 3 else None,
            created_at=first.created_at,
            updated_at=first.updated_at,
        )
        for i in range(n - 1)
    )
    return list(Ticket.objects.all())


@pytest.fixture
def sixty(end_user, topic):
    return many(end_user, topic, 60)


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_a_queue_longer_than_the_cap_counts_to_the_cap_and_says_so(signed_in, cap, sixty):
    html = signed_in.get(DESK).content.decode()
    assert "Showing 1–25 of 50+" in html
    assert "Page 1 of 2+" in html
    # The link to the end names the page it goes to: it is not the end of the queue.
    assert ">Page 2</a>" in html and ">Last</a>" not in html


def test_the_last_page_within_the_cap_asks_to_narrow_the_list(signed_in, cap, sixty):
    response = signed_in.get(DESK, {"page": 2})
    html = response.content.decode()
    assert len(numbers_on(response)) == 25
    assert "Showing 26–50 of 50+" in html
    assert "Pages go only as far as the first 50 tickets of a list." in html
    assert "Narrow this one with the filters or a search to see the others." in html


@pytest.mark.parametrize("page", ["3", "999"])
def test_a_page_beyond_the_cap_shows_the_last_allowed_page(signed_in, cap, sixty, page):
    beyond = signed_in.get(DESK, {"page": page})
    last = signed_in.get(DESK, {"page": 2})
    assert numbers_on(beyond) == numbers_on(last)
    assert "Narrow this one with the filters or a search" in beyond.content.decode()


def test_the_first_page_of_a_capped_list_has_no_hint(signed_in, cap, sixty):
    assert "Narrow this one" not in signed_in.get(DESK).content.decode()


def test_a_queue_of_exactly_the_cap_is_counted_in_full(signed_in, cap, end_user, topic):
    many(end_user, topic, CAP)
    html = signed_in.get(DESK, {"page": 2}).content.decode()
    assert "Showing 26–50 of 50</p>" in html
    assert "Page 2 of 2<" in html
    assert "Narrow this one" not in html


def test_filters_narrow_a_capped_list_below_the_cap(signed_in, cap, sixty):
    html = signed_in.get(DESK, {"due_from": "2000-01-01", "per_page": 100}).content.decode()
    with_due = Ticket.objects.filter(due_at__isnull=False).count()
    assert with_due < CAP
    assert f"Showing 1–{with_due} of {with_due}</p>" in html


def test_the_count_reads_no_more_rows_than_the_cap(signed_in, cap, sixty):
    with CaptureQueriesContext(connection) as captured:
        signed_in.get(DESK, headers={"HX-Request": "true"})
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and f"LIMIT {CAP + 1}" in counts[0]


@pytest.mark.parametrize("sort", sorted(SORT_KEYS | {f"-{key}" for key in SORT_KEYS} | {""}))
def test_pages_within_the_cap_neither_repeat_nor_skip_a_ticket_in_any_sort(signed_in, cap, sixty, sort):
    pages = [numbers_on(signed_in.get(DESK, {"sort": sort, "page": n})) for n in (1, 2)]
    one_page = numbers_on(signed_in.get(DESK, {"sort": sort, "per_page": 100}))
    assert pages[0] + pages[1] == one_page
    assert len(set(one_page)) == CAP


def test_a_page_beyond_the_cap_costs_the_same_queries_as_the_first(signed_in, cap, sixty):
    signed_in.get(DESK)

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(DESK, params).status_code == 200
        return len(captured.captured_queries)

    assert queries({"page": 1}) == queries({"page": 2}) == queries({"page": 40})


def test_htmx_gets_the_capped_list_with_its_hint_and_the_bulk_form(signed_in, cap, sixty):
    response = signed_in.get(DESK, {"page": 7}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and len(numbers_on(response)) == 25
    assert "Narrow this one" in html
    assert f'action="{reverse("tickets:bulk")}"' in html
    assert 'name="next" value="/desk/?page=7"' in html
