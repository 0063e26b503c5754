"""Every page works under the Content-Security-Policy: no inline script or style is blocked."""

from playwright.sync_api import expect

from tickets.models import Ticket

from .conftest import DEMO_PASSWORD


def collect_violations(page) -> list[str]:
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    return violations


def test_portal_desk_work_page_and_admin_run_without_policy_violations(page, live_server, demo, sign_in):
    violations = collect_violations(page)
    url = live_server.url
    page.goto(f"{url}/tickets/new/")
    page.get_by_label("Help topic").select_option(label="Network or VPN")
    expect(page.get_by_role("note")).to_be_visible()

    sign_in(page, "admin@frontdesk.local", DEMO_PASSWORD)
    page.goto(f"{url}/desk/")
    page.get_by_role("link", name="Priority").first.click()
    ticket = Ticket.objects.get(subject="VPN drops every few minutes")
    page.goto(f"{url}/desk/tickets/{ticket.number}/")
    page.get_by_label("Priority").select_option(label="Low")
    page.get_by_role("button", name="Set priority").click()
    expect(page.get_by_test_id("priority")).to_have_text("Low")
    page.goto(f"{url}/desk/reports/sla/")
    page.goto(f"{url}/admin/")
    page.goto(f"{url}/admin/tickets/helptopic/add/")
    expect(page.get_by_label("Name")).to_be_visible()

    assert violations == []


def test_pages_send_the_policy_header(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
