"""One ticket's whole life in a browser: submitted, worked, overdue, resolved, rated, closed.

Two people at once, as in real use: Erin (end user) and Alice (agent), each in their own
browser context. The clock of the server moves with time-machine where the story needs days.
"""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tickets import services
from tickets.models import Ticket

from .conftest import DEMO_PASSWORD


def queue_count(page, key) -> int:
    return int(page.locator(f"[data-queue={key}]").inner_text())


def test_a_ticket_from_submission_to_closure(browser, live_server, demo, sign_in, shot, time_machine):
    url = live_server.url
    erin = browser.new_context().new_page()
    alice = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(alice, "alice@frontdesk.local", DEMO_PASSWORD)
    alice.goto(f"{url}/desk/")
    open_before, unassigned_before = queue_count(alice, "open"), queue_count(alice, "unassigned")

    # 1. Erin opens a ticket.
    sign_in(erin, "erin@example.com", DEMO_PASSWORD)
    erin.goto(f"{url}/tickets/new/")
    erin.get_by_label("Help topic").select_option(label="Laptop or desktop problem")
    erin.get_by_label("Issue summary").fill("Second monitor stays black")
    erin.get_by_label("Message").fill("Since this morning the second monitor shows no picture.")
    erin.get_by_role("button", name="Submit ticket").click()
    number = erin.get_by_test_id("ticket-number").inner_text()

    # 2. Alice sees it arrive in Open and Unassigned, opens it, and works it.
    alice.goto(f"{url}/desk/?queue=unassigned")
    assert queue_count(alice, "open") == open_before + 1
    assert queue_count(alice, "unassigned") == unassigned_before + 1
    alice.get_by_role("link", name=number).click()
    alice.get_by_role("button", name="Claim — assign to me").click()
    expect(alice.get_by_test_id("assignee")).to_contain_text("Alice Agent")
    alice.get_by_label("Priority").select_option(label="High")
    alice.get_by_role("button", name="Set priority").click()
    expect(alice.get_by_test_id("priority")).to_have_text("High")
    alice.get_by_label("SLA").select_option(label="Priority (1 h / 8 h)")
    alice.get_by_role("button", name="Set SLA").click()
    expect(alice.get_by_test_id("sla")).to_have_text("Priority")
    alice.get_by_label("Message").first.fill("Please check the cable is in the DisplayPort socket.")
    alice.get_by_role("button", name="Send reply").click()
    expect(alice.get_by_text("Reply sent to the requester.")).to_be_visible()
    alice.locator("form[action$='/note/'] textarea").fill("Dock firmware 1.2 has this bug.")
    alice.get_by_role("button", name="Add note").click()
    expect(alice.get_by_text("Internal note added.")).to_be_visible()
    alice.goto(f"{url}/desk/?queue=mine")
    expect(alice.get_by_role("link", name=number)).to_be_visible()
    alice.goto(f"{url}/desk/?queue=assigned")
    expect(alice.get_by_role("link", name=number)).to_be_visible()

    # 3. Erin sees the reply, never the note, and answers; Alice sees the answer.
    erin.goto(f"{url}/tickets/mine/")
    erin.get_by_role("link", name=number).click()
    expect(erin.get_by_text("Please check the cable")).to_be_visible()
    expect(erin.get_by_text("Dock firmware")).to_have_count(0)
    erin.get_by_label("Your reply").fill("The cable is in, still black.")
    erin.get_by_role("button", name="Send reply").click()
    alice.goto(f"{url}/desk/tickets/{number}/")
    expect(alice.get_by_text("The cable is in, still black.")).to_be_visible()

    # 4. The due date passes; the sweep marks it; it shows in Overdue, marked.
    ticket = Ticket.objects.get(number=number)
    time_machine.move_to(ticket.due_at + timedelta(minutes=5))
    services.sweep_overdue()
    assert Ticket.objects.get(number=number).is_overdue
    alice.goto(f"{url}/desk/?queue=overdue")
    row = alice.get_by_role("row").filter(has_text=number)
    expect(row.get_by_text("Overdue")).to_be_visible()
    shot(alice, "agent-desk-overdue")

    # 5. Alice resolves it; Erin rates the help from the e-mailed link; Alice sees the rating.
    alice.goto(f"{url}/desk/tickets/{number}/")
    alice.get_by_label("Status").select_option(label="Resolved")
    alice.get_by_role("button", name="Change status").click()
    expect(alice.get_by_test_id("status")).to_have_text("Resolved")
    resolution = next(m for m in mail.outbox if m.subject.startswith(f"[#{number}] Resolved"))
    assert resolution.to == ["erin@example.com"]
    link = re.search(r"http\S+/feedback/\S+/", resolution.body).group(0)
    erin.goto(link.replace("http://127.0.0.1:8000", url))
    erin.get_by_label("5 — excellent").check()
    erin.get_by_label("Anything to add? (optional)").fill("Fixed within the hour, thanks!")
    shot(erin, "portal-feedback")
    erin.get_by_role("button", name="Send feedback").click()
    expect(erin.get_by_role("heading", name="Thank you!")).to_be_visible()
    alice.reload()
    expect(alice.get_by_test_id("feedback")).to_contain_text("5/5")

    # 6. A week later it closes by itself; it is in Closed and its history tells every step.
    time_machine.move_to(timezone.now() + timedelta(days=8))
    assert services.auto_close() >= 1
    alice.goto(f"{url}/desk/?queue=closed")
    expect(alice.get_by_role("link", name=number)).to_be_visible()
    alice.goto(f"{url}/desk/tickets/{number}/")
    history = alice.locator("#history-heading + ol")
    for step in [
        "Created",
        "Assignee changed",
        "Priority changed: Normal → High",
        "SLA changed",
        "Agent replied",
        "Internal note added",
        "Requester wrote",
        "Marked overdue",
        "Open → Resolved",
        "Feedback received",
        "Resolved → Closed",
    ]:
        expect(history).to_contain_text(step)
    shot(alice, "agent-work-page")

    alice.goto(f"{url}/desk/reports/sla/")
    expect(alice.get_by_role("heading", name="SLA report")).to_be_visible()
    shot(alice, "sla-report")


def test_admin_adds_a_help_topic_and_an_sla_that_portal_and_agents_then_offer(page, live_server, demo, sign_in):
    url = live_server.url
    sign_in(page, "admin@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{url}/admin/sla/sla/add/")
    page.get_by_label("Name").fill("Executive")
    page.get_by_label("First response hours").fill("1")
    page.get_by_label("Resolution hours").fill("4")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()

    page.goto(f"{url}/admin/tickets/helptopic/add/")
    page.get_by_label("Name").fill("Phone or tablet")
    page.get_by_label("Department").select_option(label="IT Support")
    page.get_by_label("Instructions").fill("Tell us the model and the OS version.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()

    page.goto(f"{url}/tickets/new/")
    page.get_by_label("Help topic").select_option(label="Phone or tablet")
    expect(page.get_by_role("note")).to_contain_text("Tell us the model and the OS version.")

    ticket = Ticket.objects.filter(department__name="IT Support").first()
    page.goto(f"{url}/desk/tickets/{ticket.number}/")
    expect(page.get_by_label("SLA").locator("option", has_text="Executive")).to_have_count(1)
