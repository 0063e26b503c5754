"""Bulk actions from the desk: one form that validates, then one service call per ticket.

Each ticket is changed in its own transaction by the same service the work page uses, so a
refused change (say, a closed ticket can't become pending) is reported for that ticket while
the others go through.
"""

from dataclasses import dataclass, field

from django import forms

from accounts.models import User

from . import services
from .bootstrap import BootstrapForm
from .models import Priority, Status, Ticket
from .selectors import tickets_visible_to

MAX_TICKETS = 100  # the largest page of the desk


class NumbersField(forms.Field):
    """The ticket numbers ticked in the list (checkboxes all named "tickets")."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        # dict.fromkeys: drop repeats, keep the order of the page.
        return list(dict.fromkeys(v.strip().lstrip("#") for v in values if v and v.strip()))

    def validate(self, value):
        if not value:
            raise forms.ValidationError("Select at least one ticket.")
        if len(value) > MAX_TICKETS:
            raise forms.ValidationError(f"Select at most {MAX_TICKETS} tickets at a time.")


class BulkActionForm(BootstrapForm):
    ACTIONS = [
        ("assign_me", "Assign to me"),
        ("assign_agent", "Assign to agent…"),
        ("priority", "Set priority…"),
        ("status", "Set status…"),
    ]

    tickets = NumbersField()
    action = forms.ChoiceField(choices=[("", "— Choose an action —"), *ACTIONS])
    agent = forms.ModelChoiceField(
        User.objects.agents(),
        required=False,
        empty_label="— Agent —",
    )
    priority = forms.TypedChoiceField(
        choices=[("", "— Priority —"), *Priority.choices], coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(choices=[("", "— Status —"), *Status.choices], required=False)

    NEEDS = {"assign_agent": "agent", "priority": "priority", "status": "status"}

    def __init__(self, *args, **kwargs):
        # Its own ids: the filter form on the same page has fields called priority and status too.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["action"].label = "With the selected tickets"
        for each in self.fields.values():
            each.widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        data = super().clean()
        needed = self.NEEDS.get(data.get("action"))
        if needed and data.get(needed) in (None, ""):
            self.add_error(needed, f"Choose the {needed} to set.")
        return data


@dataclass
class BulkResult:
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0  # numbers the agent may not see (or that don't exist)
    refused: list[str] = field(default_factory=list)


def _change(ticket: Ticket, action: str, data: dict, by: User) -> bool:
    """Apply the action to one ticket through its service; False when it was already so."""
    if action in ("assign_me", "assign_agent"):
        agent = by if action == "assign_me" else data["agent"]
        if ticket.assignee_id == agent.pk:
            return False
        services.assign(ticket, agent=agent, team=ticket.team, by=by)
    elif action == "priority":
        if ticket.priority == data["priority"]:
            return False
        services.set_priority(ticket, priority=data["priority"], by=by)
    else:
        if ticket.status == data["status"]:
            return False
        services.change_status(ticket, to=data["status"], by=by)
    return True


def apply_bulk(data: dict, *, by: User) -> BulkResult:
    """Run the form's action on each ticket the agent may see; the rest are skipped."""
    numbers = data["tickets"]
    found = {t.number: t for t in tickets_visible_to(by).filter(number__in=numbers).select_related("team")}
    result = BulkResult(skipped=len(numbers) - len(found))
    for number in numbers:
        if number not in found:
            continue
        try:
            changed = _change(found[number], data["action"], data, by)
        except services.ChangeRefused as exc:
            result.refused.append(f"#{number}: {exc}")
        else:
            result.changed += changed
            result.unchanged += not changed
    return result
