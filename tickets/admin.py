from django.contrib import admin

from . import outbox
from .models import (
    Attachment,
    CannedResponse,
    Department,
    Event,
    HelpTopic,
    Notification,
    RoutingRule,
    Team,
    ThreadEntry,
    Ticket,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "manager", "default_sla"]
    search_fields = ["name", "email"]
    filter_horizontal = ["agents"]
    list_select_related = ["manager", "default_sla"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(HelpTopic)
class HelpTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "default_priority", "default_sla", "is_public", "is_active", "sort_order"]
    list_filter = ["is_active", "is_public", "department", "default_priority"]
    list_editable = ["sort_order"]
    search_fields = ["name", "instructions"]
    list_select_related = ["department", "default_sla"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "order",
        "is_active",
        "match_help_topic",
        "match_subject_words",
        "match_email_domain",
        "set_department",
        "set_team",
        "set_assignee",
        "set_priority",
        "set_sla",
    ]
    list_filter = ["is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "match_subject_words", "match_email_domain"]
    fieldsets = [
        (None, {"fields": ["name", "order", "is_active", "stop_processing"]}),
        (
            "When a new ticket matches all of",
            {"fields": ["match_help_topic", "match_subject_words", "match_email_domain"]},
        ),
        ("Then set", {"fields": ["set_department", "set_team", "set_assignee", "set_priority", "set_sla"]}),
    ]


class HistoryAdmin(admin.ModelAdmin):
    """Viewable, never added, edited or deleted here: changes go through the services so that
    each one is recorded, and the history itself is append-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["created_at", "kind", "actor", "old_value", "new_value", "detail"]


class ThreadEntryInline(ReadOnlyInline):
    model = ThreadEntry
    fields = ["created_at", "kind", "author", "body"]


@admin.register(Ticket)
class TicketAdmin(HistoryAdmin):
    list_display = [
        "number",
        "subject",
        "requester",
        "department",
        "assignee",
        "priority",
        "status",
        "due_at",
        "updated_at",
    ]
    list_filter = ["status", "priority", "department", "source", "help_topic"]
    search_fields = ["number", "subject", "requester__email"]
    list_select_related = ["requester", "department", "assignee"]
    date_hierarchy = "created_at"
    inlines = [ThreadEntryInline, EventInline]


@admin.register(Event)
class EventAdmin(HistoryAdmin):
    list_display = ["created_at", "ticket", "kind", "actor", "old_value", "new_value"]
    list_filter = ["kind"]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket", "actor"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "entry", "content_type", "size"]
    search_fields = ["filename", "entry__ticket__number"]
    list_select_related = ["entry__ticket"]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "is_active"]
    list_filter = ["is_active", "department"]
    search_fields = ["title", "body"]


@admin.register(Notification)
class NotificationAdmin(HistoryAdmin):
    list_display = ["created_at", "kind", "ticket", "recipients", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "kind"]
    search_fields = ["ticket__number", "recipients"]
    list_select_related = ["ticket"]
    actions = ["send_again"]

    @admin.action(description="Send the selected failed e-mails again")
    def send_again(self, request, queryset):
        count = outbox.send_again(queryset)
        self.message_user(request, f"{count} e-mail(s) queued again.")
