from django.core.validators import MinValueValidator
from django.db import models


class SLA(models.Model):
    """A service level: how soon a ticket must get its first response and its resolution."""

    name = models.CharField(max_length=100, unique=True)
    first_response_hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Hours until the first agent response is due."
    )
    resolution_hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Hours until the ticket must be resolved (the grace period).",
    )
    is_active = models.BooleanField(default=True)
    disable_overdue_alerts = models.BooleanField(
        "no overdue alerts", default=False, help_text="Mark tickets overdue but send no alert."
    )

    class Meta:
        verbose_name = "SLA plan"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.first_response_hours} h / {self.resolution_hours} h)"
