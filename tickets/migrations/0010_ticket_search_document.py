"""One stored search document per ticket, GIN-indexed, instead of two expression indexes.

The desk's search used to OR a full-text match over the subject with an EXISTS over the thread
entries; PostgreSQL could not combine those with the queue and visibility conditions and ended
up filtering every visible ticket. Ticket.search_document holds the subject and the text of every
thread entry, so a search is one GIN index scan. The services keep it up to date; this migration
fills it for the tickets that exist.

As in 0003, the GIN index and the backfill are PostgreSQL only (SQLite searches with icontains and
leaves the column empty), and 0003's expression indexes go: nothing searches with them any more.
"""

import django.contrib.postgres.search
from django.db import migrations

# Must stay the configuration that tickets/queues.py and the services use (SEARCH_CONFIG).
CONFIG = "english"
INDEX_NAME = "ticket_search_idx"
OLD_INDEXES = [
    # (model, column, index name) as created by 0003_search
    ("ticket", "subject", "ticket_subject_search_idx"),
    ("threadentry", "body", "entry_body_search_idx"),
]

# Every ticket, also one without entries; the entries in the order they were written.
BACKFILL = f"""
UPDATE tickets_ticket AS t
   SET search_document = to_tsvector('{CONFIG}', concat_ws(' ', t.subject, d.bodies))
  FROM (SELECT ticket.id, string_agg(entry.body, ' ' ORDER BY entry.id) AS bodies
          FROM tickets_ticket AS ticket
          LEFT JOIN tickets_threadentry AS entry ON entry.ticket_id = ticket.id
         GROUP BY ticket.id) AS d
 WHERE d.id = t.id
"""


def _search_index():
    from django.contrib.postgres.indexes import GinIndex

    return GinIndex(fields=["search_document"], name=INDEX_NAME)


def _old_indexes(apps):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    for model, column, name in OLD_INDEXES:
        yield apps.get_model("tickets", model), GinIndex(SearchVector(column, config=CONFIG), name=name)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _old_indexes(apps):
        schema_editor.remove_index(model, index)
    schema_editor.execute(BACKFILL)
    # Built after the backfill: one pass over the documents instead of 1M index insertions.
    schema_editor.add_index(apps.get_model("tickets", "ticket"), _search_index())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("tickets", "ticket"), _search_index())
    for model, index in _old_indexes(apps):
        schema_editor.add_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_sort_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
