from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def agents(self):
        """Active users with an active agent profile, by name."""
        return self.filter(is_active=True, agent_profile__is_active=True).order_by("full_name", "email")

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. An end user unless it has an AgentProfile."""

    # Stored lower-cased (manager and clean() normalise it), so unique means case-insensitive.
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("admin site access", default=False, help_text="May sign in to the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split() or [self.email])[0]

    @property
    def is_agent(self) -> bool:
        return hasattr(self, "agent_profile") and self.agent_profile.is_active


class AgentProfile(models.Model):
    """Makes a user an agent. Departments are linked from tickets.Department.agents."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agent_profile")
    all_departments = models.BooleanField(default=False, help_text="Sees and works the tickets of every department.")
    is_active = models.BooleanField(default=True, help_text="Inactive agents keep their history but lose agent access.")
    signature = models.TextField(blank=True, help_text="Appended to replies.")
    # Which alert e-mails the agent wants.
    alert_new_ticket = models.BooleanField("new tickets in my departments", default=True)
    alert_assigned = models.BooleanField("a ticket is assigned to me", default=True)
    alert_message = models.BooleanField("a requester writes on my ticket", default=True)
    alert_overdue = models.BooleanField("a ticket I work on is overdue", default=True)

    ALERT_FIELDS = ["alert_new_ticket", "alert_assigned", "alert_message", "alert_overdue"]

    class Meta:
        ordering = ["user__email"]

    def __str__(self):
        return str(self.user)

    def scope(self) -> models.Q:
        """The tickets this agent works: its departments', its teams' and those assigned to it.

        A condition on department_id, team_id and assignee_id, which both the tickets and the
        desk's count buckets (tickets.QueueCount) have. Plain id lists rather than joins or
        subqueries: no duplicate rows, and PostgreSQL can combine the three indexes (BitmapOr).
        """
        return (
            models.Q(department_id__in=self.department_ids)
            | models.Q(team_id__in=self.team_ids)
            | models.Q(assignee_id=self.user_id)
        )

    @property
    def department_ids(self) -> list[int]:
        return self._memberships["department"]

    @property
    def team_ids(self) -> list[int]:
        return self._memberships["team"]

    # Read once per request (a profile object lives as long as request.user), in one query: the
    # desk asks for the agent's tickets several times per page, and every page of it needs both.
    @cached_property
    def _memberships(self) -> dict[str, list[int]]:
        departments = self.departments.through.objects.filter(agentprofile=self)
        teams = self.teams.through.objects.filter(agentprofile=self)
        ids = {"department": [], "team": []}
        for kind, pk in (
            departments.annotate(kind=models.Value("department"))
            .values_list("kind", "department")
            .union(teams.annotate(kind=models.Value("team")).values_list("kind", "team"), all=True)
        ):
            ids[kind].append(pk)
        return ids
