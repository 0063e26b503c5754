from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.formats import date_format

from .duedates import add_business_hours
from .models import SLA, Holiday, Schedule, Weekday, WorkingSpan


class WorkingSpanFormSet(BaseInlineFormSet):
    """Checks that need all the spans at once: at least one, and no two overlapping on one day."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return  # the rows' own errors come first
        by_weekday: dict[int, list[WorkingSpan]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            span = WorkingSpan(weekday=data["weekday"], start=data["start"], end=data["end"])
            by_weekday.setdefault(span.weekday, []).append(span)
        if not by_weekday:
            raise ValidationError("A schedule needs at least one working span")
        errors = []
        for weekday, spans in sorted(by_weekday.items()):
            spans.sort(key=_offset)
            reaching = spans[0]  # the span that reaches furthest into the day so far
            for later in spans[1:]:
                if _offset(later) < _end(reaching):  # touching spans (9–12, 12–17) are fine
                    errors.append(
                        ValidationError(
                            "Working spans on %(weekday)s overlap: %(first)s and %(second)s",
                            code="overlap",
                            params={
                                "weekday": Weekday(weekday).label,
                                "first": _times(reaching),
                                "second": _times(later),
                            },
                        )
                    )
                if _end(later) > _end(reaching):
                    reaching = later
        if errors:
            raise ValidationError(errors)


def _offset(span: WorkingSpan) -> timedelta:
    start = span.start
    return timedelta(hours=start.hour, minutes=start.minute, seconds=start.second, microseconds=start.microsecond)


def _end(span: WorkingSpan) -> timedelta:
    return _offset(span) + span.duration


def _times(span: WorkingSpan) -> str:
    return f"{span.start:%H:%M}–{span.end:%H:%M}"


class WorkingSpanInline(admin.TabularInline):
    model = WorkingSpan
    formset = WorkingSpanFormSet
    extra = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "weekly_hours", "holiday_count", "sla_count"]
    search_fields = ["name", "time_zone"]
    inlines = [WorkingSpanInline, HolidayInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("spans")
            .annotate(
                holiday_total=Count("holidays", distinct=True),
                sla_total=Count("slas", distinct=True),
            )
        )

    @admin.display(description="working hours a week")
    def weekly_hours(self, schedule):
        total = sum((span.duration for span in schedule.spans.all()), timedelta())
        return f"{total / timedelta(hours=1):g} h"

    @admin.display(description="holidays", ordering="holiday_total")
    def holiday_count(self, schedule):
        return schedule.holiday_total

    @admin.display(description="SLA plans", ordering="sla_total")
    def sla_count(self, schedule):
        return schedule.sla_total


@admin.register(SLA)
class SLAAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "first_response_hours",
        "resolution_hours",
        "schedule_display",
        "is_active",
        "disable_overdue_alerts",
    ]
    list_filter = ["is_active", "disable_overdue_alerts", "schedule"]
    list_select_related = ["schedule"]
    search_fields = ["name"]
    fields = [
        "name",
        "first_response_hours",
        "resolution_hours",
        "schedule",
        "preview",
        "is_active",
        "disable_overdue_alerts",
    ]
    readonly_fields = ["preview"]

    @admin.display(description="schedule", ordering="schedule__name")
    def schedule_display(self, sla):
        return sla.schedule or "24×7"

    @admin.display(description="preview")
    def preview(self, sla):
        if sla is None or sla.pk is None:
            return "Save to see a preview."
        now = timezone.now()
        if sla.schedule is None:
            spec, zone = None, timezone.get_current_timezone()
        else:
            spec, zone = sla.schedule.spec(), ZoneInfo(sla.schedule.time_zone)
        try:
            first_response = add_business_hours(now, sla.first_response_hours, spec)
            resolution = add_business_hours(now, sla.resolution_hours, spec)
        except ValueError as error:
            return f"No preview: {error}."
        return (
            f"A ticket opened now would get its first response by {_local(first_response, zone)} "
            f"and be due by {_local(resolution, zone)} ({zone} time)."
        )


def _local(instant: datetime, zone: tzinfo) -> str:
    return date_format(instant.astimezone(zone), "D j M Y, H:i")
