import uuid

import pytest
from django.urls import reverse

from tickets.models import Attachment, Priority, Ticket

from ..conftest import DepartmentFactory, HelpTopicFactory, make_agent
from .conftest import upload

NEW = reverse("tickets:new")


def form_data(topic, **overrides):
    data = {
        "help_topic": topic.pk,
        "subject": "Laptop is slow",
        "message": "It takes ages.",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def guest_data(topic, **overrides):
    return form_data(topic, **{"name": "Gina Guest", "email": "Gina@Example.com", **overrides})


def test_signed_in_user_opens_a_ticket_and_sees_its_number_and_time(
    client, end_user, topic, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(end_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, form_data(topic), follow=True)

    ticket = Ticket.objects.get()
    assert ticket.requester == end_user
    assert ticket.department == topic.department
    page = response.content.decode()
    assert ticket.number in page
    assert ticket.created_at.strftime("%H:%M") in page
    assert [m.to for m in mailoutbox] == [[end_user.email]]
    assert ticket.number in mailoutbox[0].subject
    assert ticket.get_absolute_url() in mailoutbox[0].body


def test_no_mail_is_sent_before_the_transaction_commits(client, end_user, topic, mailoutbox):
    client.force_login(end_user)
    client.post(NEW, form_data(topic))
    assert Ticket.objects.count() == 1
    assert mailoutbox == []


def test_form_lists_only_active_public_topics_with_their_instructions(client, topic):
    HelpTopicFactory(name="Hidden topic", is_public=False)
    HelpTopicFactory(name="Retired topic", is_active=False)
    page = client.get(NEW).content.decode()
    assert topic.name in page and topic.instructions in page
    assert "Hidden topic" not in page and "Retired topic" not in page


def test_guest_opens_a_ticket_and_gets_a_sign_in_link_by_mail(
    client, topic, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, guest_data(topic), follow=True)

    ticket = Ticket.objects.get()
    assert ticket.requester.email == "gina@example.com"
    assert ticket.requester.full_name == "Gina Guest"
    assert not ticket.requester.has_usable_password()
    assert ticket.number in response.content.decode()
    link = next(line for line in mailoutbox[0].body.splitlines() if "/tickets/access/" in line).strip()
    client.logout()
    assert client.get(link, follow=True).request["PATH_INFO"] == ticket.get_absolute_url()


def test_double_submit_of_the_same_form_makes_one_ticket(client, end_user, topic):
    client.force_login(end_user)
    data = form_data(topic)
    first = client.post(NEW, data)
    second = client.post(NEW, data)
    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": ""}, "This field is required."),
        ({"subject": "   "}, "This field is required."),
        ({"subject": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"message": ""}, "This field is required."),
        ({"help_topic": "999999"}, "Choose one of the help topics in the list."),
        ({"help_topic": "not-a-number"}, "Choose one of the help topics in the list."),
    ],
)
def test_bad_input_is_a_clear_error_with_nothing_created(client, end_user, topic, overrides, message):
    client.force_login(end_user)
    data = form_data(topic, **overrides)
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Ticket.objects.count() == 0


def test_inactive_topic_posted_by_hand_is_refused(client, end_user):
    retired = HelpTopicFactory(is_active=False)
    client.force_login(end_user)
    response = client.post(NEW, form_data(retired))
    assert "Choose one of the help topics in the list." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_input_is_kept_after_an_error(client, end_user, topic):
    client.force_login(end_user)
    response = client.post(NEW, form_data(topic, subject="", message="My careful description"))
    assert "My careful description" in response.content.decode()


def test_malformed_guest_email_is_refused(client, topic):
    response = client.post(NEW, guest_data(topic, email="not-an-email"))
    assert "Enter a valid email address." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_posted_priority_department_and_assignee_are_ignored(client, end_user, topic, department):
    other = DepartmentFactory(name="Elsewhere")
    agent = make_agent(department)
    client.force_login(end_user)
    client.post(
        NEW, form_data(topic, priority=Priority.EMERGENCY, department=other.pk, assignee=agent.pk, status="closed")
    )
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.department, ticket.assignee, ticket.status) == (
        Priority.NORMAL,
        department,
        None,
        "open",
    )


def test_attachments_are_stored_with_a_clean_name(client, end_user, topic):
    client.force_login(end_user)
    files = [upload("..\\..\\evil<img src=x>.txt", b"hello", "text/plain"), upload("shot.png")]
    client.post(NEW, {**form_data(topic), "attachments": files})
    names = sorted(Attachment.objects.values_list("filename", flat=True))
    assert names == ["evil_img src=x_.txt", "shot.png"]
    stored = Attachment.objects.get(filename="shot.png").file.name
    assert "shot" not in stored and stored.endswith(".png")


def test_oversize_attachment_is_refused_with_nothing_created(client, end_user, topic, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    client.force_login(end_user)
    response = client.post(NEW, {**form_data(topic), "attachments": [upload("big.png", b"x" * 11)]})
    assert "“big.png” is 11\xa0bytes; the limit is 10\xa0bytes per file." in response.content.decode()
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_disallowed_attachment_type_is_refused(client, end_user, topic):
    client.force_login(end_user)
    response = client.post(
        NEW, {**form_data(topic), "attachments": [upload("run.exe", b"MZ", "application/octet-stream")]}
    )
    assert "“run.exe” is not an allowed type." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_too_many_attachments_are_refused(client, end_user, topic, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    client.force_login(end_user)
    response = client.post(NEW, {**form_data(topic), "attachments": [upload(f"{i}.png") for i in range(3)]})
    assert "Attach at most 2 files." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_html_in_every_field_is_shown_as_text(client, end_user, topic):
    client.force_login(end_user)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post(NEW, form_data(topic, subject=evil, message=evil), follow=True)
    page = client.get(Ticket.objects.get().get_absolute_url()).content.decode()
    for html in (response.content.decode(), page):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_the_confirmation_page_is_only_for_the_browser_that_submitted(client, end_user, other_end_user, topic):
    client.force_login(end_user)
    created = client.post(NEW, form_data(topic))["Location"]
    client.force_login(other_end_user)
    assert client.get(created).status_code == 404
