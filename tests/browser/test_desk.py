"""The agent desk in a browser: sort and search swap the list in place, bulk actions post."""

from playwright.sync_api import expect

from tickets.models import Priority, Ticket

from .conftest import DEMO_PASSWORD


def test_desk_has_one_h1_and_a_label_for_every_control(page, live_server, demo, sign_in):
    sign_in(page, "alice@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/desk/")
    page.get_by_text("Filters", exact=True).click()
    assert page.locator("h1").count() == 1
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
              .map(el => el.name)"""
    )
    assert unlabeled == []


def test_sort_then_search_keeps_the_sort_and_bulk_priority_marks_the_row(page, live_server, demo, sign_in, shot):
    sign_in(page, "alice@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/desk/")

    page.get_by_role("link", name="Due", exact=True).click()
    page.wait_for_url("**sort=due_at**")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Due")
    page.get_by_label("Search tickets").fill("VPN")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=VPN**")
    assert "sort=due_at" in page.url
    expect(page.locator("tbody tr")).to_have_count(1)

    page.get_by_label("Select every ticket on this page").check()
    page.get_by_label("With the selected tickets").select_option("priority")
    page.locator("#bulk_priority").select_option(str(Priority.EMERGENCY))
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_text("1 ticket changed.")).to_be_visible()
    assert "q=VPN" in page.url
    expect(page.locator("tr.row-priority-1")).to_have_count(1)
    assert Ticket.objects.get(subject="VPN drops every few minutes").priority == Priority.EMERGENCY
    shot(page, "agent-desk-bulk")
