"""The work page's actions: for each, a form that validates and a call to one service.

Forms only validate and normalise; the service decides whether the change is allowed and
records it. `ACTIONS` maps the URL's action name to both.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from sla.models import SLA

from . import services
from .bootstrap import BootstrapForm, model_choices
from .forms import AttachmentsField
from .models import CannedResponse, Department, Priority, Status, Team, Ticket


class ActionForm(BootstrapForm):
    """A work-page form: knows the ticket it acts on and the agent acting (the actor)."""

    def __init__(self, *args, ticket: Ticket, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket, self.actor = ticket, actor


class AssignForm(ActionForm):
    agent = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="— Nobody —")
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="— No team —")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_for(self.ticket.department)
        self.fields["agent"].error_messages["invalid_choice"] = f"Choose an agent of {self.ticket.department}."
        self.initial.update(agent=self.ticket.assignee_id, team=self.ticket.team_id)


def agents_for(department: Department):
    """Active agents who may work tickets of the department."""
    return (
        User.objects.agents()
        .filter(Q(agent_profile__all_departments=True) | Q(agent_profile__departments=department))
        .distinct()
    )


class TransferForm(ActionForm):
    department = forms.ModelChoiceField(queryset=Department.objects.all(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["department"] = self.ticket.department_id


class PriorityForm(ActionForm):
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["priority"] = self.ticket.priority


class SLAForm(ActionForm):
    sla = forms.ModelChoiceField(
        label="SLA", queryset=SLA.objects.filter(is_active=True), required=False, empty_label="— No SLA —"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["sla"] = self.ticket.sla_id


class DueForm(ActionForm):
    due_at = forms.DateTimeField(
        label="New due date",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter a date and time, e.g. 2030-01-31 17:00."},
    )
    reason = forms.CharField(max_length=200)

    def clean_due_at(self):
        due = self.cleaned_data["due_at"]
        if due <= timezone.now():
            raise forms.ValidationError("The due date must be in the future.")
        return due


class StatusForm(ActionForm):
    status = forms.ChoiceField(choices=Status.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["status"] = self.ticket.status


class EntryForm(ActionForm):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000, required=False)
    attachments = AttachmentsField()
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4()
        self.collision = False

    def clean(self):
        data = super().clean()
        if not (data.get("message") or "").strip() and not self.errors:
            self.add_error("message", "Write something first.")
        return data


class NoteForm(EntryForm):
    def __init__(self, *args, **kwargs):
        # It sits beside the reply form, whose fields have the same names: ids of its own, so
        # that each label points at its own field.
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(EntryForm):
    """A reply to the requester, with an optional canned response and "reply and resolve".

    `last_seen` is the newest entry on the page when it was loaded: if someone else wrote
    since, the reply is held back until the agent confirms (collision warning).
    """

    canned = forms.ModelChoiceField(
        label="Canned response", queryset=CannedResponse.objects.none(), required=False, empty_label="— None —"
    )
    resolve = forms.BooleanField(label="Resolve the ticket with this reply", required=False)
    last_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(label="Send anyway", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = canned_for(self.ticket.department)
        if not self.is_bound and "last_seen" not in self.initial:
            self.initial["last_seen"] = self.ticket.entries.order_by("-pk").values_list("pk", flat=True).first()

    def canned_bodies(self) -> dict[str, str]:
        """Each offered canned response's text by id, for the page's script to insert; the
        select then shows the same responses without reading them again."""
        widget = self.fields["canned"].widget
        widget.choices = model_choices(self.fields["canned"])
        return {str(value): value.instance.body for value, _label in widget.choices if value}

    def clean(self):
        # Without JavaScript, a chosen canned response fills an empty message.
        if self.cleaned_data.get("canned") and not (self.cleaned_data.get("message") or "").strip():
            self.cleaned_data["message"] = self.cleaned_data["canned"].body
        data = super().clean()
        if not self.errors and not data.get("confirm"):
            newer = entries_since(self.ticket, data.get("last_seen"), self.actor)
            if newer:
                names = ", ".join(sorted({str(e.author or "Someone") for e in newer}))
                self.add_error(
                    None, f"{names} wrote on this ticket since you opened it. Read the thread, then send again."
                )
                self.collision = True
        return data


def canned_for(department: Department):
    return CannedResponse.objects.filter(Q(department=department) | Q(department__isnull=True), is_active=True)


def entries_since(ticket: Ticket, last_seen: int | None, actor: User) -> list:
    """What others wrote after the entry the actor last saw."""
    if last_seen is None:
        return []
    return list(ticket.entries.filter(pk__gt=last_seen).exclude(author=actor).select_related("author"))


# --- what each action does once its form is valid -------------------------------------------


def _assign(ticket, data, by):
    services.assign(ticket, agent=data["agent"], team=data["team"], by=by)
    return "Assignment saved."


def _claim(ticket, data, by):
    services.assign(ticket, agent=by, team=ticket.team, by=by)
    return "You now own this ticket."


def _transfer(ticket, data, by):
    services.transfer(ticket, department=data["department"], by=by)
    return f"Transferred to {data['department']}."


def _priority(ticket, data, by):
    services.set_priority(ticket, priority=data["priority"], by=by)
    return f"Priority set to {Priority(data['priority']).label}."


def _sla(ticket, data, by):
    services.set_sla(ticket, sla=data["sla"], by=by)
    return f"SLA set to {data['sla'].name}." if data["sla"] else "SLA removed."


def _due(ticket, data, by):
    services.override_due(ticket, due_at=data["due_at"], reason=data["reason"], by=by)
    return "Due date changed."


def _status(ticket, data, by):
    services.change_status(ticket, to=data["status"], by=by)
    return f"Status set to {Status(data['status']).label}."


def _reply(ticket, data, by):
    # One transaction: a resolve the state machine refuses leaves no reply sent either.
    with transaction.atomic():
        services.reply(ticket, author=by, body=data["message"], attachments=data["attachments"], key=data["key"])
        if data["resolve"] and ticket.status != Status.RESOLVED:
            services.change_status(ticket, to=Status.RESOLVED, by=by)
            return "Reply sent and ticket resolved."
    return "Reply sent to the requester."


def _note(ticket, data, by):
    services.add_note(ticket, author=by, body=data["message"], attachments=data["attachments"], key=data["key"])
    return "Internal note added."


class NoFields(ActionForm):
    pass


@dataclass(frozen=True)
class Action:
    form: type[forms.Form]
    apply: Callable[[Ticket, dict, User], str]


ACTIONS: dict[str, Action] = {
    "assign": Action(AssignForm, _assign),
    "claim": Action(NoFields, _claim),
    "transfer": Action(TransferForm, _transfer),
    "priority": Action(PriorityForm, _priority),
    "sla": Action(SLAForm, _sla),
    "due": Action(DueForm, _due),
    "status": Action(StatusForm, _status),
    "reply": Action(ReplyForm, _reply),
    "note": Action(NoteForm, _note),
}
