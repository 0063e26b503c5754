"""A ready-to-try help desk. Safe to run again: it finds what exists and creates only what is missing."""

import uuid

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import AgentProfile, User
from sla.models import SLA
from tickets import services
from tickets.models import Department, HelpTopic, Priority, Status, Team, Ticket

PASSWORD = "frontdesk-demo"

PEOPLE = [
    # e-mail, name, role, departments
    ("admin@frontdesk.local", "Ada Admin", "admin", []),
    ("alice@frontdesk.local", "Alice Agent", "agent", ["IT Support", "Network"]),
    ("bob@frontdesk.local", "Bob Agent", "agent", ["Accounts"]),
    ("erin@example.com", "Erin Employee", "user", []),
    ("frank@example.com", "Frank Field", "user", []),
]

SLAS = [("Standard", 8, 48), ("Priority", 1, 8), ("Relaxed", 24, 120)]

DEPARTMENTS = [
    ("IT Support", "it@frontdesk.local", "Standard"),
    ("Network", "network@frontdesk.local", "Priority"),
    ("Accounts", "accounts@frontdesk.local", "Standard"),
]

TOPICS = [
    # name, department, priority, public, instructions
    (
        "Laptop or desktop problem",
        "IT Support",
        Priority.NORMAL,
        True,
        "Say which device (asset tag if you have it) and what you see on screen.",
    ),
    (
        "Password or account access",
        "Accounts",
        Priority.HIGH,
        True,
        "Never send your password. Tell us the account name and the system you can't reach.",
    ),
    (
        "Network or VPN",
        "Network",
        Priority.NORMAL,
        True,
        "Tell us where you are (office, home) and whether others near you are affected.",
    ),
    ("Software request", "IT Support", Priority.LOW, True, "Name the software and why you need it."),
    ("Server alert", "Network", Priority.HIGH, False, ""),
]

# (key, requester, topic, subject, message, final status, agent reply)
TICKETS = [
    (
        "open",
        "erin@example.com",
        "Laptop or desktop problem",
        "Laptop won't wake from sleep",
        "Since yesterday my laptop stays black after I open the lid. I have to hold the power button.",
        Status.OPEN,
        None,
    ),
    (
        "assigned",
        "frank@example.com",
        "Network or VPN",
        "VPN drops every few minutes",
        "Working from home, the VPN disconnects every 5–10 minutes. Colleagues on the same VPN are fine.",
        Status.OPEN,
        "Thanks Frank — which VPN client version do you run? It's under Help → About.",
    ),
    (
        "pending",
        "erin@example.com",
        "Software request",
        "Need a licence for the diagram editor",
        "I need the diagram editor for the network documentation project.",
        Status.PENDING,
        "Could you ask your manager to approve the licence cost in reply to this ticket?",
    ),
    (
        "resolved",
        "frank@example.com",
        "Password or account access",
        "Locked out of the expense system",
        "The expense system says my account is locked after I changed my password.",
        Status.RESOLVED,
        "I've unlocked your account. Please sign in again with your new password.",
    ),
    (
        "closed",
        "erin@example.com",
        "Network or VPN",
        "Printer on floor 2 offline",
        "The printer next to the kitchen on floor 2 shows as offline for everyone.",
        Status.CLOSED,
        "The printer had lost its network lease; it's back online.",
    ),
]


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"frontdesk-demo/{name}")


class Command(BaseCommand):
    help = "Create demo departments, help topics, SLA plans, people and tickets (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        users = {}
        for email, name, role, _ in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=PASSWORD,
                    full_name=name,
                    is_staff=role == "admin",
                    is_superuser=role == "admin",
                )
                created += 1
            if role in ("admin", "agent"):
                AgentProfile.objects.get_or_create(user=user, defaults={"all_departments": role == "admin"})
            users[email] = user

        slas = {}
        for name, first, resolution in SLAS:
            slas[name], new = SLA.objects.get_or_create(
                name=name, defaults={"first_response_hours": first, "resolution_hours": resolution}
            )
            created += new

        departments = {}
        for name, email, sla in DEPARTMENTS:
            departments[name], new = Department.objects.get_or_create(
                name=name,
                defaults={"email": email, "default_sla": slas[sla], "manager": users["admin@frontdesk.local"]},
            )
            created += new
        for email, _, role, names in PEOPLE:
            if role == "agent":
                users[email].agent_profile.departments.add(*(departments[n] for n in names))
        team, new = Team.objects.get_or_create(
            name="Field technicians", defaults={"lead": users["alice@frontdesk.local"]}
        )
        team.members.add(users["alice@frontdesk.local"].agent_profile)
        created += new

        topics = {}
        for order, (name, department, priority, public, instructions) in enumerate(TOPICS):
            topics[name], new = HelpTopic.objects.get_or_create(
                name=name,
                defaults={
                    "department": departments[department],
                    "default_priority": priority,
                    "is_public": public,
                    "instructions": instructions,
                    "sort_order": order,
                },
            )
            created += new

        for key, requester, topic, subject, message, status, answer in TICKETS:
            if Ticket.objects.filter(submission_key=_key(key)).exists():
                continue
            self._demo_ticket(users, topics[topic], users[requester], key, subject, message, status, answer)
            created += 1

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new records)."))
        self.stdout.write(f"Sign in at /accounts/login/ with password “{PASSWORD}” as:")
        for email, _, role, _ in PEOPLE:
            self.stdout.write(f"  {role:<6} {email}")

    def _demo_ticket(self, users, topic, requester, key, subject, message, status, answer):
        agent = users["bob@frontdesk.local"] if topic.department.name == "Accounts" else users["alice@frontdesk.local"]
        ticket = services.open_ticket(
            requester=requester,
            topic=topic,
            subject=subject,
            body=message,
            submission_key=_key(key),
            notify=False,
        )
        if key == "open":
            return
        services.assign(ticket, agent=agent, by=agent)
        if key == "assigned":
            services.add_note(
                ticket, author=agent, body="Client 5.1 has a known keep-alive bug; check the version first."
            )
        if answer:
            services.reply(ticket, author=agent, body=answer, notify=False)
        if status != Status.OPEN:
            services.change_status(ticket, to=status, by=agent, notify=False)
