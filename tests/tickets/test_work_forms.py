"""What the work page's forms show: labels, errors next to their field, values escaped."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from tickets import services
from tickets.models import CannedResponse, Status


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def act(client, ticket, action, data):
    return client.post(reverse("tickets:act", args=[ticket.number, action]), data)


def field_group(page: str, field_id: str) -> str:
    """The markup of one field's group: from its wrapper to the next field's wrapper or form end."""
    start = page.index(f'id="div_{field_id}"')
    ends = [i for i in (page.find('id="div_', start + 1), page.find("</form>", start)) if i != -1]
    return page[start : min(ends)]


def test_every_field_on_the_work_page_has_a_label_for_its_own_id(signed_in, ticket, department):
    CannedResponse.objects.create(title="Restart", body="Turn it off and on.", department=department)
    page = signed_in.get(reverse("tickets:work", args=[ticket.number])).content.decode()

    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    fields = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert fields and set(fields) <= labelled
    assert '<label for="id_message"' in page and '<label for="note_message"' in page


def test_a_refused_due_date_is_shown_under_its_own_field(signed_in, ticket):
    page = act(signed_in, ticket, "due", {"due_at": "2001-01-01T10:00", "reason": "Waiting on parts"}).content.decode()

    group = field_group(page, "id_due_at")
    assert "The due date must be in the future." in group
    assert 'class="invalid-feedback"' in group and 'id="id_due_at_error"' in group
    assert re.search(r'<input[^>]*is-invalid[^>]*aria-invalid="true"[^>]*aria-describedby="id_due_at_error"', group)
    reason = field_group(page, "id_reason")
    assert 'value="Waiting on parts"' in reason and "is-invalid" not in reason


def test_a_missing_required_field_says_so_next_to_it(signed_in, ticket):
    page = act(signed_in, ticket, "due", {}).content.decode()
    assert "This field is required." in field_group(page, "id_due_at")
    assert "This field is required." in field_group(page, "id_reason")


def test_an_empty_note_is_refused_under_the_note_field_not_the_reply(signed_in, ticket):
    page = act(signed_in, ticket, "note", {"message": ""}).content.decode()
    assert "Write something first." in field_group(page, "note_message")
    assert "Write something first." not in field_group(page, "id_message")


def test_a_change_the_service_refuses_is_shown_in_the_form_that_asked(signed_in, ticket, agent):
    services.change_status(ticket, to=Status.CLOSED, by=agent)
    page = act(signed_in, ticket, "status", {"status": Status.PENDING}).content.decode()
    status_form = page[page.index(f'action="/desk/tickets/{ticket.number}/status/"') :]
    status_form = status_form[: status_form.index("</form>")]
    assert 'class="alert alert-block alert-danger"' in status_form
    assert "A closed ticket can&#x27;t become pending." in status_form


def test_what_the_agent_typed_comes_back_escaped(signed_in, ticket):
    typed = '"><script>alert(1)</script>'
    page = act(signed_in, ticket, "due", {"due_at": "2001-01-01T10:00", "reason": typed}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in field_group(page, "id_reason")


def test_current_values_are_selected_and_required_fields_marked(signed_in, ticket):
    page = signed_in.get(reverse("tickets:work", args=[ticket.number])).content.decode()
    priority = field_group(page, "id_priority")
    assert f'<option value="{ticket.priority}" selected>' in priority
    assert 'class="form-label requiredField">Priority<span class="asteriskField">*</span></label>' in priority
    assert '<label for="id_agent" class="form-label">Agent</label>' in field_group(page, "id_agent")
