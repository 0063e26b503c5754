from django.contrib import admin

from .models import SLA


@admin.register(SLA)
class SLAAdmin(admin.ModelAdmin):
    list_display = ["name", "first_response_hours", "resolution_hours", "is_active", "disable_overdue_alerts"]
    list_filter = ["is_active", "disable_overdue_alerts"]
    search_fields = ["name"]
