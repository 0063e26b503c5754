"""Reports for agents and admins: the SLA report page."""

from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import agent_required

from ..reports import Row, sla_report

DEFAULT_DAYS = 30
MAX_DAYS = 366  # a leap year, both ends included


class ReportForm(forms.Form):
    start = forms.DateField(
        label="From",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": "Enter a start date.", "invalid": "Enter the start date as YYYY-MM-DD."},
    )
    end = forms.DateField(
        label="To",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": "Enter an end date.", "invalid": "Enter the end date as YYYY-MM-DD."},
    )
    group_by = forms.ChoiceField(
        label="Group by",
        choices=[("sla", "SLA plan"), ("department", "Department")],
        error_messages={"invalid_choice": "Group by SLA plan or by department."},
    )

    @classmethod
    def defaults(cls) -> dict[str, str]:
        """The last 30 days up to today, by SLA plan: what the page shows before any choice."""
        today = timezone.localdate()
        start = today - timedelta(days=DEFAULT_DAYS - 1)
        return {"start": start.isoformat(), "end": today.isoformat(), "group_by": "sla"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            bound.widget.attrs["class"] = "form-select" if name == "group_by" else "form-control"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", f"Choose a range of at most {MAX_DAYS} days.")
        return data

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-describedby"] = f"{name}-error"


@agent_required
@require_GET
def sla_report_view(request):
    # Missing parameters take their defaults, so a link with only ?group_by=department works.
    form = ReportForm({**ReportForm.defaults(), **request.GET.dict()})
    context = {"form": form, "rows": None, "metrics": [label for _, label in METRICS]}
    if form.is_valid():
        rows = sla_report(request.user, **form.cleaned_data)
        *shown, total = [present(row) for row in rows]
        context.update(
            form.cleaned_data,
            rows=shown,
            sections=[("tbody", shown), ("tfoot", [total])],
            chart=chart(rows),
            group_noun=GROUP_NOUNS[form.cleaned_data["group_by"]],
        )
    return render(request, "tickets/sla_report.html", context)


# Presentation: numbers as the table and the chart show them.

OUTCOMES = [("met", "met", "Met"), ("breached", "breached", "Breached"), ("in_progress", "progress", "In progress")]
METRICS = [("first_response", "First response"), ("resolution", "Resolution")]
GROUP_NOUNS = {"sla": "SLA plan", "department": "department"}


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, days = minutes // 60, minutes // (60 * 24)
    if days:
        return f"{days} d {hours % 24} h"
    if hours:
        return f"{hours} h {minutes % 60} min"
    return f"{minutes} min"


def present(row: Row) -> dict:
    """A row for the table: each outcome as (count, percent of the tickets with that target)."""
    metrics = []
    for metric, _ in METRICS:
        whole = getattr(row, f"{metric}_measured")
        counts = [getattr(row, f"{metric}_{outcome}") for outcome, _, _ in OUTCOMES]
        metrics.append(([(n, percent(n, whole)) for n in counts], duration(getattr(row, f"median_{metric}"))))
    rating = f"{row.feedback_average:.1f} ({row.feedback_count})" if row.feedback_count else "—"
    return {"label": row.label, "tickets": row.tickets, "metrics": metrics, "rating": rating}


# The chart: one horizontal stacked bar per row and target, in SVG user units.
BAR_START, BAR_WIDTH = 300, 480
BAR_HEIGHT, BAR_GAP, GROUP_GAP = 20, 4, 16
LABEL_CHARS = 22  # what fits left of the bars; the full name is in the label's <title>


@dataclass
class Segment:
    css: str
    x: float
    width: float
    count: int
    title: str

    @property
    def middle(self) -> float:
        return self.x + self.width / 2

    @property
    def labelled(self) -> bool:
        # Counts only where they fit inside the bar; the <title> and the table carry all of them.
        return self.width >= 8 * len(str(self.count)) + 6


@dataclass
class Bar:
    metric: str
    y: int
    total: int
    segments: list[Segment] = field(default_factory=list)

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2


def chart(rows: list[Row]) -> dict:
    groups, y = [], GROUP_GAP // 2
    for row in rows:
        bars = []
        for metric, metric_label in METRICS:
            whole = getattr(row, f"{metric}_measured")
            bar, x = Bar(metric=metric_label, y=y, total=whole), float(BAR_START)
            for outcome, css, outcome_label in OUTCOMES:
                count = getattr(row, f"{metric}_{outcome}")
                if count:
                    width = BAR_WIDTH * count / whole
                    title = f"{row.label}, {metric_label.lower()} {outcome_label.lower()}: {count} of {whole}"
                    bar.segments.append(Segment(css, x, width, count, f"{title} ({percent(count, whole)}%)"))
                    x += width
            bars.append(bar)
            y += BAR_HEIGHT + BAR_GAP
        short = row.label if len(row.label) <= LABEL_CHARS else row.label[: LABEL_CHARS - 1] + "…"
        middle = bars[0].y + BAR_HEIGHT + BAR_GAP / 2
        groups.append({"label": row.label, "short_label": short, "text_y": middle, "bars": bars})
        y += GROUP_GAP
    return {
        "groups": groups,
        "height": y - GROUP_GAP // 2,
        "width": BAR_START + BAR_WIDTH + 10,
        "bar_start": BAR_START,
        "bar_width": BAR_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
