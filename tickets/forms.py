import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms

from .models import HelpTopic
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


class CheckStatusForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    number = forms.CharField(label="Ticket number", max_length=12)

    def clean_number(self):
        return self.cleaned_data["number"].strip().lstrip("#")
