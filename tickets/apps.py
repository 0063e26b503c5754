from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self):
        post_migrate.connect(_refresh_queue_counts, sender=self)


def _refresh_queue_counts(using, **kwargs):
    """After `migrate`, put back the queue-count triggers that a migration rebuilding
    tickets_ticket drops on SQLite; after `flush` (which sends post_migrate too), recount,
    because SQLite deletes the tickets row by row through those triggers."""
    from django.db import connections

    from . import queuecounts
    from .models import QueueCount

    connection = connections[using]
    if QueueCount._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before the counts existed
    queuecounts.install_triggers(using)
    queuecounts.rebuild(using)
