"""Every change of a ticket goes through a function here.

Each runs in one transaction, checks the change is allowed, saves with update_fields,
records an Event and queues its notifications in the outbox, sent once the transaction
commits. Views, forms, admin and bulk actions, Celery tasks and commands all call these.
"""

from .base import TRANSITIONS, ChangeRefused, TransitionNotAllowed
from .changes import assign, change_status, may_work_in, override_due, set_priority, set_sla, transfer
from .intake import open_ticket, route
from .sweeps import auto_close, sweep_overdue
from .thread import add_message, add_note, record_feedback, reply

__all__ = [
    "TRANSITIONS",
    "ChangeRefused",
    "TransitionNotAllowed",
    "add_message",
    "add_note",
    "assign",
    "auto_close",
    "change_status",
    "may_work_in",
    "open_ticket",
    "override_due",
    "record_feedback",
    "reply",
    "route",
    "set_priority",
    "set_sla",
    "sweep_overdue",
    "transfer",
]
