"""The work page in a browser (the whole lifecycle is in test_lifecycle.py)."""

from playwright.sync_api import expect

from tickets.models import Ticket

from .conftest import DEMO_PASSWORD


def test_status_change_refused_by_the_state_machine_shows_why(page, live_server, demo, sign_in):
    closed = Ticket.objects.get(subject="Printer on floor 2 offline")
    sign_in(page, "alice@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/desk/tickets/{closed.number}/")
    page.get_by_label("Status").select_option(label="Pending")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("A closed ticket can't become pending.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Closed")
