"""Bootstrap 5 markup for the work page's and the desk's forms, built in Python.

The work page shows nine small forms on every load. Rendering them through crispy-forms' and
Django's widget templates (an `{% include %}` per field, per `<option>` and per attribute list)
was most of the page's time. The markup here is the same crispy-forms' Bootstrap 5 pack gives
(label, widget with its classes, `is-invalid`, the error under the field, the required-field
asterisk); the attributes still come from Django's own widget and bound-field code (`required`,
`maxlength`, `aria-invalid`, `aria-describedby`), so only the last step, turning that context
into HTML, is done here. A widget this module does not know falls back to Django's template.
"""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

_W = "django/forms/widgets/"
_INPUTS = {
    f"{_W}{name}.html"
    for name in ("input", "text", "search", "date", "datetime", "number", "email", "hidden", "checkbox", "file")
}
esc = conditional_escape


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {esc(name)}" if value is True else f' {esc(name)}="{esc(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{esc(w["value"])}"'
    return f'<input type="{esc(w["type"])}" name="{esc(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _textarea(w: dict) -> str:
    value = esc(w["value"]) if w["value"] else ""
    return f'<textarea name="{esc(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


def _select(w: dict) -> str:
    parts = [f'<select name="{esc(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        parts.extend(
            f'\n  <option value="{esc(o["value"])}"{_attrs(o["attrs"])}>{esc(o["label"])}</option>' for o in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class Renderer(DjangoTemplates):
    """Django's template renderer, with the plain widgets the work page uses done in Python."""

    def render(self, template_name, context, request=None):
        w = context.get("widget")
        if template_name in _INPUTS:
            return _input(w)
        if template_name == f"{_W}textarea.html":
            return _textarea(w)
        if template_name == f"{_W}select.html" and all(
            o["template_name"] == f"{_W}select_option.html" for _, group, _ in w["optgroups"] for o in group
        ):
            return _select(w)
        if template_name == f"{_W}clearable_file_input.html" and not w.get("is_initial"):
            return _input(w)
        return super().render(template_name, context, request)


RENDERER = Renderer()


def model_choices(field: forms.ModelChoiceField) -> list:
    """A model select's choices, read once with a plain query.

    Django's own iterator reads them with a server-side cursor on PostgreSQL (DECLARE, FETCH,
    CLOSE) and twice per render of a select (the first choice decides `required`).
    """
    iterator = field.iterator(field)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    return empty + [iterator.choice(obj) for obj in field.queryset]


def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class BoundField(forms.BoundField):
    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        if isinstance(getattr(widget, "choices", None), forms.models.ModelChoiceIterator):
            widget.choices = model_choices(self.field)
        return super().as_widget(widget, attrs, only_initial)

    def as_field_group(self):
        """Label, widget, errors and help text in Bootstrap 5's layout (a hidden field: the input alone)."""
        if self.is_hidden:
            return str(self)
        widget = self.field.widget
        classes = " ".join(filter(None, [widget.attrs.get("class"), _css_class(widget), self.errors and "is-invalid"]))
        html = self.as_widget(attrs={"class": classes})
        errors = mark_safe("")
        if self.errors:
            errors = format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                self.auto_id,
                mark_safe(
                    "".join(
                        format_html('<p id="error_{}_{}"><strong>{}</strong></p>', i, self.auto_id, e)
                        for i, e in enumerate(self.errors, 1)
                    )
                ),
            )
        if self.help_text:
            # Help text is the developer's, and may hold markup (as in Django's own field template).
            errors += format_html(
                '<div id="{}_helptext" class="form-text">{}</div>', self.auto_id, mark_safe(self.help_text)
            )
        if isinstance(widget, forms.CheckboxInput):
            return format_html(
                '<div class="mb-3"><div id="div_{}" class="form-check">{}'
                '<label for="{}" class="form-check-label">{}</label>{}</div></div>',
                self.auto_id,
                html,
                self.id_for_label,
                self.label,
                errors,
            )
        label = '{}<span class="asteriskField">*</span>' if self.field.required else "{}"
        return format_html(
            '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">' + label + "</label>{}{}</div>",
            self.auto_id,
            self.id_for_label,
            " requiredField" if self.field.required else "",
            self.label,
            html,
            errors,
        )


class BootstrapForm(forms.Form):
    """A form whose fields render as Bootstrap 5 groups: `{{ field.as_field_group }}`."""

    default_renderer = RENDERER
    bound_field_class = BoundField
