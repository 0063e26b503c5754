"""The desk's text search over the stored search document (PostgreSQL) or icontains (SQLite)."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tickets import services
from tickets.models import Ticket

from ..conftest import HelpTopicFactory, UserFactory
from .test_desk import numbers_on

DESK = reverse("tickets:desk")


@pytest.fixture
def search(client, agent):
    client.force_login(agent)

    def found(text: str) -> list[str]:
        response = client.get(DESK, {"q": text})
        assert response.status_code == 200
        return numbers_on(response)

    return found


@pytest.fixture
def worked(agent, topic):
    """A ticket with a requester message, an agent's reply and an internal note."""
    requester = UserFactory(email="grace.hopper@navy.test", full_name="Grace Hopper")
    ticket = services.open_ticket(
        requester=requester, topic=topic, subject="Compiler crashes nightly", body="Started after the upgrade."
    )
    services.reply(ticket, author=agent, body="Please send the stacktrace.", notify=False)
    services.add_note(ticket, author=agent, body="Looks like the allocator regression.")
    return ticket


@pytest.mark.parametrize(
    "text",
    [
        "compiler",  # the subject
        "upgrade",  # the requester's first message
        "stacktrace",  # the agent's reply
        "allocator",  # an internal note: the desk is for agents only
        "grace.hopper@navy.test",  # the requester's e-mail
        "Hopper",  # the requester's name
    ],
)
def test_a_ticket_is_found_by_a_word_of_its_subject_thread_or_requester(search, worked, text):
    assert search(text) == [worked.number]


def test_a_ticket_is_found_by_its_number_and_a_prefix_of_it(search, worked):
    assert search(worked.number) == [worked.number]
    assert search(f"#{worked.number}") == [worked.number]
    assert worked.number in search(worked.number[:3])


def test_a_word_from_a_later_message_becomes_findable(search, worked):
    assert search("spreadsheet") == []
    services.add_message(worked, author=worked.requester, body="The spreadsheet also fails to load.")
    assert search("spreadsheet") == [worked.number]


def test_earlier_words_stay_findable_after_more_replies(search, agent, worked):
    services.reply(worked, author=agent, body="Rebuilt with the patched toolchain.", notify=False)
    assert search("toolchain") == [worked.number]
    assert search("compiler") == [worked.number]
    assert search("stacktrace") == [worked.number]


def test_a_follow_up_ticket_is_found_by_its_message(search, agent, worked):
    services.change_status(worked, to="closed", by=agent)
    entry = services.add_message(worked, author=worked.requester, body="The linker hangs now.")
    assert search("linker") == [entry.ticket.number]


def test_tickets_outside_the_agents_departments_are_not_found(
    search, client, agent, other_agent, end_user, other_department
):
    theirs = services.open_ticket(
        requester=end_user,
        topic=HelpTopicFactory(department=other_department),
        subject="Compiler license expired",
        body="Renew the allocator licence.",
    )
    assert search("compiler") == []
    assert search(end_user.email) == []
    assert search(theirs.number) == []
    client.force_login(other_agent)
    assert numbers_on(client.get(DESK, {"q": "compiler"})) == [theirs.number]


def test_the_requester_cannot_search_the_desk_for_internal_notes(client, worked):
    client.force_login(worked.requester)
    response = client.get(DESK, {"q": "allocator"})
    assert response.status_code == 403
    assert worked.number not in response.content.decode()


@pytest.mark.postgres
def test_the_stored_document_holds_the_subject_and_every_entry(worked):
    worked.refresh_from_db()
    lexemes = set(worked.search_document.replace("'", " ").split())
    assert {"compil", "crash", "upgrad", "stacktrac", "alloc"} <= {word.split(":")[0] for word in lexemes}


@pytest.mark.postgres
def test_search_matches_other_forms_of_a_word(search, worked):
    assert search("crashing") == [worked.number]


@pytest.mark.postgres
def test_the_migration_fills_the_document_of_existing_tickets(transactional_db, agent, topic, end_user):
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Scanner jams", body="Paper stuck.")
    services.add_note(ticket, author=agent, body="Order a new roller.")
    bare = services.open_ticket(requester=end_user, topic=topic, subject="Badge reader", body="")
    before, latest = [("tickets", "0009_sort_indexes")], [("tickets", "0010_ticket_search_document")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)  # drops the column
    executor.loader.build_graph()
    executor.migrate(latest)  # adds it again, and fills it

    for word in ["scanner", "stuck", "roller"]:
        assert list(Ticket.objects.filter(search_document=SearchQuery(word, config="english"))) == [ticket]
    assert Ticket.objects.get(pk=bare.pk).search_document == "'badg':1 'reader':2"
