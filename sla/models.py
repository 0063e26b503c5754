from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from .duedates import ScheduleSpec


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; malformed keys raise ValueError
        raise ValidationError("Unknown time zone", code="unknown_time_zone") from None


class Schedule(models.Model):
    """Business hours in one time zone, with holidays. SLAs without a schedule run 24x7."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="An IANA time zone name, such as Europe/Berlin or America/New_York.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.time_zone})"

    def spec(self) -> ScheduleSpec:
        """The plain values that the due-date arithmetic works on (two queries unless prefetched)."""
        spans: dict[int, list[tuple[time, time]]] = {}
        for span in self.spans.all():
            spans.setdefault(span.weekday, []).append((span.start, span.end))
        holidays = frozenset(day for holiday in self.holidays.all() for day in holiday.dates())
        return ScheduleSpec(time_zone=self.time_zone, spans=spans, holidays=holidays)


class Weekday(models.IntegerChoices):
    # Numbered like date.weekday().
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingSpan(models.Model):
    """One stretch of working time on a weekday, in the schedule's local time."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="spans")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")) | models.Q(end=time(0)),
                name="sla_workingspan_end_after_start",
                violation_error_message="The end must be after the start",
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is not None and self.end is not None and self.duration <= timedelta():
            raise ValidationError({"end": "The end must be after the start"})

    @property
    def duration(self) -> timedelta:
        """Nominal length (a daylight-saving change can make the real one an hour longer or shorter)."""
        end = timedelta(days=1) if self.end == time(0) else _since_midnight(self.end)
        return end - _since_midnight(self.start)


def _since_midnight(value: time) -> timedelta:
    return datetime.combine(date.min, value) - datetime.combine(date.min, time(0))


class Holiday(models.Model):
    """Days without business hours: a single date, or a range of dates (both ends included)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(max_length=100)
    start = models.DateField("first day")
    end = models.DateField("last day", null=True, blank=True, help_text="Leave empty for a single day.")

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="sla_holiday_end_not_before_start",
                violation_error_message="The last day must not be before the first day",
            )
        ]

    def __str__(self):
        if self.end is None or self.end == self.start:
            return f"{self.name} ({self.start})"
        return f"{self.name} ({self.start} – {self.end})"

    def clean(self):
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationError({"end": "The last day must not be before the first day"})

    def dates(self) -> list[date]:
        last = self.end or self.start
        return [self.start + timedelta(days=offset) for offset in range((last - self.start).days + 1)]


class SLA(models.Model):
    """A service level: how soon a ticket must get its first response and its resolution."""

    name = models.CharField(max_length=100, unique=True)
    first_response_hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Hours until the first agent response is due (working hours when there is a schedule).",
    )
    resolution_hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Hours until the ticket must be resolved, the grace period (working hours when there is a schedule).",
    )
    schedule = models.ForeignKey(
        Schedule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slas",
        help_text="Leave empty for round-the-clock (24×7)",
    )
    is_active = models.BooleanField(default=True)
    disable_overdue_alerts = models.BooleanField(
        "no overdue alerts", default=False, help_text="Mark tickets overdue but send no alert."
    )
    escalate_when_overdue = models.BooleanField(
        default=False,
        help_text="When a ticket goes overdue, raise its priority one level and alert the department manager.",
    )

    class Meta:
        verbose_name = "SLA plan"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.first_response_hours} h / {self.resolution_hours} h)"

    def schedule_spec(self) -> ScheduleSpec | None:
        """The plan's business hours, or None for round-the-clock."""
        return self.schedule.spec() if self.schedule_id else None
