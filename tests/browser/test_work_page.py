"""An agent works a ticket from the work page; the requester sees the public part only."""

from playwright.sync_api import expect

from tickets.models import EntryKind, Ticket

from .conftest import DEMO_PASSWORD


def test_agent_works_a_ticket_in_place_and_the_requester_answers(page, live_server, demo, sign_in, shot):
    ticket = Ticket.objects.get(subject="Laptop won't wake from sleep")
    sign_in(page, "alice@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")

    page.get_by_role("button", name="Claim — assign to me").click()
    expect(page.get_by_text("You now own this ticket.")).to_be_visible()
    expect(page.get_by_test_id("assignee")).to_contain_text("Alice Agent")

    page.get_by_label("Priority").select_option(label="High")
    page.get_by_role("button", name="Set priority").click()
    expect(page.get_by_test_id("priority")).to_have_text("High")

    page.get_by_label("SLA").select_option(label="Priority (1 h / 8 h)")
    page.get_by_role("button", name="Set SLA").click()
    expect(page.get_by_test_id("sla")).to_have_text("Priority")
    expect(page.get_by_test_id("due")).to_contain_text("left")

    page.get_by_label("Message").first.fill("Please hold the power button for 30 seconds, then try again.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent to the requester.")).to_be_visible()

    page.locator("#ticket-work form[action$='/note/'] textarea").fill("Third report of this model this week.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Internal note added.")).to_be_visible()
    expect(page.get_by_text("Third report of this model this week.")).to_be_visible()
    shot(page, "agent-work-page-in-place")

    page.context.clear_cookies()
    sign_in(page, "erin@example.com", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    expect(page.get_by_text("Please hold the power button")).to_be_visible()
    expect(page.get_by_text("Third report of this model")).to_have_count(0)
    page.get_by_label("Your reply").fill("That worked, thanks!")
    page.get_by_role("button", name="Send reply").click()

    page.context.clear_cookies()
    sign_in(page, "alice@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    expect(page.get_by_text("That worked, thanks!")).to_be_visible()
    assert ticket.entries.filter(kind=EntryKind.NOTE).count() == 1


def test_status_change_refused_by_the_state_machine_shows_why(page, live_server, demo, sign_in):
    closed = Ticket.objects.get(subject="Printer on floor 2 offline")
    sign_in(page, "alice@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/desk/tickets/{closed.number}/")
    page.get_by_label("Status").select_option(label="Pending")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("A closed ticket can't become pending.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Closed")
