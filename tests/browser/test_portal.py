"""The intake stage as a person does it in a browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tickets.models import Ticket

from .conftest import DEMO_PASSWORD


def test_signed_in_user_opens_a_ticket_with_an_attachment(page, live_server, demo, sign_in, shot, tmp_path):
    sign_in(page, "erin@example.com", DEMO_PASSWORD)
    page.get_by_role("link", name="Open a new ticket").first.click()
    page.get_by_label("Help topic").select_option(label="Network or VPN")
    expect(page.get_by_role("note")).to_contain_text("Tell us where you are")
    page.get_by_label("Issue summary").fill("Wi-Fi drops in meeting room 3")
    page.get_by_label("Message").fill("Every 10 minutes the Wi-Fi drops for about a minute.")
    screenshot = tmp_path / "signal.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    page.get_by_label("Attachments").set_input_files(str(screenshot))
    shot(page, "portal-new-ticket")
    page.get_by_role("button", name="Submit ticket").click()

    expect(page.get_by_role("heading", name="Your ticket has been opened")).to_be_visible()
    ticket = Ticket.objects.get(subject="Wi-Fi drops in meeting room 3")
    expect(page.get_by_test_id("ticket-number")).to_have_text(ticket.number)
    expect(page.get_by_test_id("ticket-created")).to_contain_text(ticket.created_at.strftime("%H:%M"))
    shot(page, "portal-confirmation")

    page.get_by_role("link", name="View your ticket").click()
    expect(page.get_by_role("link", name="signal.png")).to_be_visible()
    page.get_by_role("link", name="My tickets").first.click()
    expect(page.get_by_role("cell", name=ticket.number)).to_be_visible()
    shot(page, "portal-my-tickets")


def test_bad_input_shows_a_clear_message_and_keeps_what_was_typed(page, live_server, demo):
    page.goto(f"{live_server.url}/tickets/new/")
    page.get_by_label("Your name").fill("Gina Guest")
    page.get_by_label("E-mail address").fill("not-an-address")
    page.get_by_label("Message").fill("My long careful description")
    page.get_by_role("button", name="Submit ticket").click()

    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Help topic")).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_label("Issue summary")).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_label("Message")).to_have_value("My long careful description")
    assert Ticket.objects.filter(requester__email="not-an-address").count() == 0


def test_guest_opens_a_ticket_then_follows_the_emailed_link(page, live_server, demo, shot):
    page.goto(f"{live_server.url}/tickets/new/")
    page.get_by_label("Your name").fill("Gina Guest")
    page.get_by_label("E-mail address").fill("gina@example.com")
    page.get_by_label("Help topic").select_option(label="Laptop or desktop problem")
    page.get_by_label("Issue summary").fill("Screen flickers")
    page.get_by_label("Message").fill("The screen flickers when on battery.")
    page.get_by_role("button", name="Submit ticket").click()
    number = page.get_by_test_id("ticket-number").inner_text()

    page.get_by_role("link", name="Check ticket status").click()
    page.get_by_label("E-mail address").fill("gina@example.com")
    page.get_by_label("Ticket number").fill(number)
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    link = re.search(r"http\S+/tickets/access/\S+", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(page.get_by_role("heading", name="Screen flickers")).to_be_visible()
    page.get_by_label("Your reply").fill("It also happens on mains power.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("It also happens on mains power.")).to_be_visible()
    shot(page, "portal-ticket-page")


def test_end_user_is_refused_the_agent_desk_and_an_agent_sees_it(page, live_server, demo, sign_in, shot):
    sign_in(page, "erin@example.com", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/desk/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, "alice@frontdesk.local", DEMO_PASSWORD)
    page.get_by_role("link", name="Agent desk").click()
    expect(page.get_by_role("heading", name="Agent desk")).to_be_visible()
    expect(page.get_by_text("VPN drops every few minutes")).to_be_visible()
    shot(page, "agent-desk")


@pytest.mark.parametrize("path", ["/", "/tickets/new/", "/tickets/status/", "/accounts/login/", "/accounts/signup/"])
def test_pages_have_one_h1_landmarks_and_a_label_for_every_field(page, live_server, demo, path):
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
              .map(el => el.name)"""
    )
    assert unlabeled == []


def test_portal_form_fits_a_phone_screen(browser, live_server, demo, shot):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/tickets/new/")
    expect(page.get_by_label("Issue summary")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "portal-phone")
    page.close()


def test_keyboard_focus_is_visible(page, live_server, demo):
    page.goto(f"{live_server.url}/tickets/new/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.get_by_label("Issue summary").focus()
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline != "none" or shadow != "none"
