import threading

import pytest
from django.db import connection

from tickets import services
from tickets.models import Ticket


def test_ticket_numbers_are_eight_digits_and_not_in_sequence(end_user, topic):
    numbers = [
        services.open_ticket(requester=end_user, topic=topic, subject=f"Issue {i}", body="x").number for i in range(20)
    ]
    assert all(len(n) == 8 and n.isdigit() for n in numbers)
    assert len(set(numbers)) == 20
    steps = {int(b) - int(a) for a, b in zip(numbers, numbers[1:], strict=False)}
    assert steps != {1}, "numbers must not count up one by one"


def test_a_taken_number_is_redrawn_instead_of_failing(end_user, topic, monkeypatch):
    first = services.open_ticket(requester=end_user, topic=topic, subject="First", body="x")
    draws = iter([first.number, first.number, "55555555"])
    monkeypatch.setattr(services.intake, "new_ticket_number", lambda: next(draws))

    second = services.open_ticket(requester=end_user, topic=topic, subject="Second", body="y")

    assert second.number == "55555555"
    assert Ticket.objects.count() == 2
    assert second.entries.get().body == "y"


def test_the_same_submission_key_twice_makes_one_ticket(end_user, topic):
    import uuid

    key = uuid.uuid4()
    one = services.open_ticket(requester=end_user, topic=topic, subject="Once", body="x", submission_key=key)
    two = services.open_ticket(requester=end_user, topic=topic, subject="Once", body="x", submission_key=key)
    assert one.pk == two.pk
    assert Ticket.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_get_fifty_distinct_numbers(end_user, topic, monkeypatch):
    # A tiny number space forces real collisions between the threads.
    import secrets

    monkeypatch.setattr(services.intake, "new_ticket_number", lambda: str(10_000_000 + secrets.randbelow(400)))
    monkeypatch.setattr(services.intake, "NUMBER_ATTEMPTS", 200)
    barrier = threading.Barrier(50)
    errors = []

    def submit(i):
        try:
            barrier.wait()
            services.open_ticket(requester=end_user, topic=topic, subject=f"Concurrent {i}", body=f"body {i}")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert Ticket.objects.count() == 50
    assert Ticket.objects.values("number").distinct().count() == 50
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(f"Concurrent {i}" for i in range(50))
