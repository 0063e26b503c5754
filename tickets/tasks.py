"""Thin Celery tasks: take ids, call one function, own the retry policy.

E-mail goes through the outbox (tickets/outbox.py): a task per batch of rows, plus a periodic task
that picks up whatever is still pending.
"""

from celery import shared_task

from . import outbox, queuecounts, services


@shared_task
def deliver_notifications(notification_ids: list[int]) -> int:
    """Send each row still pending; returns how many this task sent.

    No Celery-level retry: a failed send stays in the outbox with its back-off and the
    periodic retry_notifications sends it again."""
    return sum(outbox.deliver(pk) for pk in notification_ids)


@shared_task
def retry_notifications() -> int:
    """Run by beat every minute: resend what a broker outage or a dead worker left behind."""
    return outbox.retry_due()


@shared_task
def sweep_overdue() -> int:
    """Run by beat every minute (settings.CELERY_BEAT_SCHEDULE)."""
    return services.sweep_overdue()


@shared_task
def auto_close() -> int:
    """Run by beat: close tickets resolved more than AUTO_CLOSE_DAYS ago."""
    return services.auto_close()


@shared_task
def compact_queue_counts() -> int:
    """Run by beat every minute: fold the queue-count rows the triggers added (queuecounts)."""
    return queuecounts.compact()
