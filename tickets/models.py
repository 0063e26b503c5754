import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class Priority(models.IntegerChoices):
    # Lower value sorts first, so queues ordered by priority show Emergency on top.
    EMERGENCY = 1, "Emergency"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"
    LOW = 4, "Low"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Source(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "E-mail"
    API = "api", "API"
    PHONE = "phone", "Phone"


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField("e-mail address", blank=True)
    default_sla = models.ForeignKey("sla.SLA", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )
    agents = models.ManyToManyField("accounts.AgentProfile", blank=True, related_name="departments")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField("accounts.AgentProfile", blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class HelpTopicQuerySet(models.QuerySet):
    def offered(self):
        """Topics an end user may pick in the portal."""
        return self.filter(is_active=True, is_public=True)


class HelpTopic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_public = models.BooleanField("public", default=True, help_text="Offered in the portal.")
    is_active = models.BooleanField("active", default=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="help_topics")
    default_priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    default_sla = models.ForeignKey(
        "sla.SLA",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Overrides the department's default SLA.",
    )
    auto_assign_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"agent_profile__isnull": False},
    )
    auto_assign_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    instructions = models.TextField(blank=True, help_text="Shown on the new-ticket form.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = HelpTopicQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


ACTIVE_STATUSES = [Status.OPEN, Status.PENDING]
ACTIVE = Q(status__in=ACTIVE_STATUSES)
# A requester's tickets are listed with what the requester still waits on first: 0 while open or
# pending, 1 once resolved or closed. TicketQuerySet.requester_order sorts by it, and
# ticket_requester_list_idx holds it.
FINISHED = models.Case(
    models.When(ACTIVE, then=models.Value(0)), default=models.Value(1), output_field=models.IntegerField()
)


def overdue_condition(now) -> Q:
    """Past due and still open. Computed from due_at, so right between overdue sweeps; pending
    tickets wait on the requester with their SLA clock paused, so they are never overdue."""
    return Q(status=Status.OPEN, due_at__lt=now)


class TicketQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ACTIVE)

    def overdue(self, now=None):
        return self.filter(overdue_condition(now or timezone.now()))

    def requester_order(self):
        """Still open first, then the latest update: how a requester's tickets are listed (My
        tickets, and the work page's other tickets), read off ticket_requester_list_idx."""
        return self.annotate(finished=FINISHED).order_by("finished", "-updated_at", "-pk")


class TicketManager(models.Manager.from_queryset(TicketQuerySet)):
    def get_queryset(self):
        # The search document is only ever searched and appended to in SQL: no page needs it,
        # and an instance that never holds a copy can't write a stale one back.
        return super().get_queryset().defer("search_document")


class Ticket(models.Model):
    number = models.CharField(max_length=12, unique=True, editable=False)
    subject = models.CharField("issue summary", max_length=200)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets")
    help_topic = models.ForeignKey(HelpTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="tickets")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    sla = models.ForeignKey("sla.SLA", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # Lets a resubmitted form (double click, browser retry) find the ticket it already made.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    due_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_response_at = models.DateTimeField(null=True, blank=True)
    is_overdue = models.BooleanField(default=False)
    # Set when an agent overrides the due date by hand; the SLA no longer moves it until the
    # SLA itself is changed.
    due_is_manual = models.BooleanField(default=False)
    # While pending the SLA clock stops; on resuming, the due dates move by the time paused.
    paused_at = models.DateTimeField(null=True, blank=True)
    # A reply to a closed ticket (or one resolved too long ago) opens a new ticket linked here.
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    # The desk's full-text search on PostgreSQL: the subject and every thread entry (internal notes
    # too), kept up to date by the services; GIN-indexed there (migrations 0010, 0011). Unused elsewhere.
    search_document = SearchVectorField(null=True, editable=False)

    objects = TicketManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # A requester's tickets as My tickets lists them, and the requester's part of the desk.
            models.Index(
                "requester", FINISHED, F("updated_at").desc(), F("id").desc(), name="ticket_requester_list_idx"
            ),
            # The desk's sorts (queues.SORTS), each ending on the primary key so that a page is
            # read off the index in order; PostgreSQL reads them backwards for descending sorts.
            # Over all tickets, for the Closed queue and searches…
            models.Index(fields=["status", "priority", "-created_at", "-id"], name="ticket_queue_idx"),
            models.Index(fields=["priority", "-created_at", "-id"], name="ticket_order_idx"),
            models.Index(fields=["due_at", "id"], name="ticket_due_idx"),
            models.Index(fields=["created_at", "id"], name="ticket_created_idx"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            # …and over the active ones, for every other queue: walking the full index for the
            # oldest open tickets would read through a year of closed ones first.
            models.Index(fields=["priority", "-created_at", "-id"], condition=ACTIVE, name="ticket_active_order_idx"),
            models.Index(fields=["due_at", "id"], condition=ACTIVE, name="ticket_active_due_idx"),
            models.Index(fields=["updated_at", "id"], condition=ACTIVE, name="ticket_active_updated_idx"),
            # Which active tickets an agent may see, by queue: the desk counts a list (up to its cap)
            # from this index alone instead of reading the tickets (0.4 ms against 5-9 ms at 1M).
            models.Index(
                fields=["status", "department", "team", "assignee", "requester"],
                condition=ACTIVE,
                name="ticket_active_visible_idx",
            ),
            # The filters. Foreign keys are indexed on their own already (help_topic, team…). The
            # search's GIN index over search_document, status, department, team, assignee and
            # requester exists on PostgreSQL only (migration 0011).
            models.Index(
                fields=["department", "status", "priority", "-created_at", "-id"], name="ticket_dept_queue_idx"
            ),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["team", "status"], name="ticket_team_idx"),
            # The overdue sweep's candidates: open, not yet marked, by due date.
            models.Index(fields=["due_at"], condition=Q(status="open", is_overdue=False), name="ticket_sweep_idx"),
        ]

    def __str__(self):
        return f"#{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("tickets:detail", args=[self.number])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class QueueCount(models.Model):
    """How many tickets share one (department, team, assignee, status, overdue flag): the desk's
    queue counts are sums over these few rows instead of counts over the ticket table.

    Written only by database triggers on tickets_ticket (migration 0008), which add a +1 row for
    a ticket's new bucket and a -1 row for its old one on every insert, update and delete, so
    that every path that writes tickets (services, bulk updates, the admin, a shell) keeps them
    right, and concurrent writers only ever insert (no hot row to lock). `queuecounts.compact`
    folds the rows back into one per bucket; `queuecounts.rebuild` recounts from the tickets.
    Plain ids, not foreign keys: a count must never stand in the way of deleting a department.
    """

    department_id = models.BigIntegerField()
    team_id = models.BigIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    is_overdue = models.BooleanField()
    n = models.IntegerField()

    def __str__(self):
        return f"{self.n:+} {self.status} in department {self.department_id}"


class EntryKind(models.TextChoices):
    MESSAGE = "message", "Message"
    RESPONSE = "response", "Response"
    NOTE = "note", "Internal note"


PUBLIC_KINDS = (EntryKind.MESSAGE, EntryKind.RESPONSE)


class ThreadEntryQuerySet(models.QuerySet):
    def public(self):
        """What the requester may see: never internal notes."""
        return self.filter(kind__in=PUBLIC_KINDS)


class ThreadEntry(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The form's one-time key: a double-clicked "Send" finds the entry it already made.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ThreadEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "thread entries"
        indexes = [models.Index(fields=["ticket", "kind", "created_at"], name="entry_thread_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on #{self.ticket.number}"

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_KINDS


def attachment_path(instance, filename):
    # A random folder name: the stored path never carries user input.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Attachment(models.Model):
    entry = models.ForeignKey(ThreadEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255, help_text="The uploader's name for it, cleaned.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("tickets:attachment", args=[self.entry.ticket.number, self.pk])


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    ROUTED = "routed", "Routed by rule"
    STATUS = "status", "Status changed"
    ASSIGNEE = "assignee", "Assignee changed"
    TEAM = "team", "Team changed"
    DEPARTMENT = "department", "Department changed"
    PRIORITY = "priority", "Priority changed"
    SLA = "sla", "SLA changed"
    DUE = "due", "Due date changed"
    MESSAGE = "message", "Requester wrote"
    RESPONSE = "response", "Agent replied"
    NOTE = "note", "Internal note added"
    OVERDUE = "overdue", "Marked overdue"
    FEEDBACK = "feedback", "Feedback received"
    FOLLOW_UP = "follow_up", "Follow-up ticket"


class Event(models.Model):
    """Append-only history of a ticket: who did what, when, from which value to which."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on #{self.ticket_id}"


class RoutingRule(models.Model):
    """Applied in order when a ticket is opened: what matches sets the ticket's fields."""

    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("active", default=True)
    match_help_topic = models.ForeignKey(HelpTopic, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    match_subject_words = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated; matches when any occurs in the summary."
    )
    match_email_domain = models.CharField(
        max_length=100, blank=True, help_text="Requester's e-mail domain, e.g. example.com."
    )
    set_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    set_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"agent_profile__isnull": False},
    )
    set_priority = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    set_sla = models.ForeignKey("sla.SLA", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stop_processing = models.BooleanField(default=False, help_text="Skip the rules after this one.")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def subject_words(self) -> list[str]:
        return [w.strip().lower() for w in self.match_subject_words.split(",") if w.strip()]


class CannedResponse(models.Model):
    """A reusable reply, for one department or (without one) for everyone."""

    title = models.CharField(max_length=100)
    body = models.TextField()
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        help_text="Leave empty to offer it in every department.",
    )
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class TicketViewing(models.Model):
    """When an agent last had a ticket's work page open: the source of collision warnings."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="viewings")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "agent"], name="one_viewing_per_agent")]

    def __str__(self):
        return f"{self.agent} on #{self.ticket_id} at {self.seen_at:%H:%M}"


class Notification(models.Model):
    """One e-mail in the outbox, written in the same transaction as the change that causes it.

    Workers deliver it after commit; a periodic task retries what is still pending, so a
    broker outage or a dead worker delays a notification but never loses it.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, help_text="Which e-mail: a folder under templates/emails/.")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    entry = models.ForeignKey(ThreadEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_due_idx")]

    def __str__(self):
        return f"{self.kind} for #{self.ticket_id} → {', '.join(self.recipients)}"


class Feedback(models.Model):
    """The requester's rating after a resolution: one per resolution, through a signed link."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="feedback")
    resolved_at = models.DateTimeField(help_text="The resolution this feedback is about.")
    rating = models.PositiveSmallIntegerField(choices=[(n, str(n)) for n in range(1, 6)])
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "resolved_at"], name="one_feedback_per_resolution"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.rating}/5 for #{self.ticket_id}"
