import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms

from accounts.models import User

from .bootstrap import BootstrapForm
from .models import Department, HelpTopic, Priority, Status, Team
from .queues import DEFAULT_QUEUE, QUEUES, SORT_KEYS
from .uploads import validate_uploads


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input, checked against the attachment limits together."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        cleaned = [super(AttachmentsField, self).clean(f, initial) for f in files]
        validate_uploads(cleaned)
        return cleaned


class MessageFields(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000, strip=True)
    attachments = AttachmentsField(label="Attachments")


class NewTicketForm(MessageFields):
    help_topic = forms.ModelChoiceField(
        queryset=HelpTopic.objects.offered(),
        empty_label="— Choose a help topic —",
        error_messages={"invalid_choice": "Choose one of the help topics in the list."},
    )
    subject = forms.CharField(label="Issue summary", max_length=200, strip=True)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    field_order = ["help_topic", "subject", "message", "attachments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["help_topic"].widget.attrs["data-topic-instructions"] = ""
        self.fields["message"].label = "Message"
        self.fields["message"].help_text = "Describe the problem: what happened, what you expected, any error text."
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        # The chosen topic's instructions appear right under the topic (static/js/frontdesk.js).
        self.helper = FormHelper()
        self.helper.form_tag = False
        names = list(self.fields)
        at = names.index("help_topic") + 1
        box = HTML(
            '<div id="topic-instructions-box" class="alert alert-info" role="note" aria-live="polite" hidden></div>'
        )
        self.helper.layout = Layout(*names[:at], box, *names[at:])


class GuestTicketForm(NewTicketForm):
    name = forms.CharField(label="Your name", max_length=150, strip=True)
    email = forms.EmailField(label="E-mail address", max_length=254)

    field_order = ["name", "email", *NewTicketForm.field_order]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class ReplyForm(MessageFields):
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].label = "Your reply"
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4()


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=[(5, "5 — excellent"), (4, "4 — good"), (3, "3 — fair"), (2, "2 — poor"), (1, "1 — bad")],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5.", "invalid_choice": "Choose a rating from 1 to 5."},
    )
    comment = forms.CharField(
        label="Anything to add? (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CheckStatusForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    number = forms.CharField(label="Ticket number", max_length=12)

    def clean_number(self):
        return self.cleaned_data["number"].strip().lstrip("#")


PER_PAGE = (25, 50, 100)
DATE_ERROR = "Enter a date as YYYY-MM-DD, for example 2030-01-31."


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_ERROR},
    )


class QueueFilterForm(BootstrapForm):
    """The desk's GET form: queue, filters, search, sort and page size. Validates only.

    Queue, sort and page size come from links rather than typing, so an unknown value falls
    back to the default instead of raising an error.
    """

    FILTERS = (
        "department",
        "team",
        "assignee",
        "priority",
        "status",
        "help_topic",
        "created_from",
        "created_to",
        "due_from",
        "due_to",
    )

    q = forms.CharField(
        label="Search tickets",
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": "Number, subject, requester or text in the thread"}),
    )
    queue = forms.CharField(required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    department = forms.ModelChoiceField(Department.objects.all(), required=False, empty_label="Any")
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="Any")
    assignee = forms.ModelChoiceField(
        User.objects.agents(),
        required=False,
        empty_label="Anyone",
    )
    priority = forms.TypedChoiceField(
        choices=[("", "Any"), *Priority.choices], coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(choices=[("", "Any"), *Status.choices], required=False)
    help_topic = forms.ModelChoiceField(HelpTopic.objects.all(), required=False, empty_label="Any")
    created_from = _date_field("Created from")
    created_to = _date_field("Created to")
    due_from = _date_field("Due from")
    due_to = _date_field("Due to")
    per_page = forms.CharField(
        label="Per page", required=False, widget=forms.Select(choices=[(n, n) for n in PER_PAGE])
    )

    def clean_queue(self):
        value = self.cleaned_data["queue"]
        return value if value in dict(QUEUES) else DEFAULT_QUEUE

    def clean_sort(self):
        value = self.cleaned_data["sort"]
        return value if value.removeprefix("-") in SORT_KEYS else ""

    def clean_per_page(self):
        value = self.cleaned_data["per_page"]
        return int(value) if value in {str(n) for n in PER_PAGE} else PER_PAGE[0]

    def clean(self):
        data = super().clean()
        for field in ("created", "due"):
            start, end = data.get(f"{field}_from"), data.get(f"{field}_to")
            if start and end and start > end:
                self.add_error(f"{field}_to", f"“{field.capitalize()} to” can't be before “{field} from”.")
        return data

    def filters(self) -> dict:
        """The valid filter values, for selectors.queue_tickets."""
        return {name: self.cleaned_data.get(name) for name in self.FILTERS}

    def filter_fields(self) -> list:
        return [self[name] for name in self.FILTERS]

    def show_filters(self) -> bool:
        """Keep the filter panel open while a filter is set or wrong."""
        return any(self.data.get(name) or name in self.errors for name in self.FILTERS)

    def is_filtered(self) -> bool:
        return bool(self.data.get("q", "").strip()) or any(self.data.get(name) for name in self.FILTERS)
