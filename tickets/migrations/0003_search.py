"""Indexes for the desk's filters and sorts, and on PostgreSQL the full-text search indexes.

The GIN indexes are expression indexes over exactly the SearchVector expressions that
tickets/queues.py searches with (same columns, same "english" configuration); PostgreSQL only
uses an expression index when the query's expression is identical. They are not in the
models' Meta because SQLite has no GIN indexes: the search falls back to icontains there.
"""

from django.db import migrations, models

SEARCH_INDEXES = [
    # (model, column, index name)
    ("ticket", "subject", "ticket_subject_search_idx"),
    ("threadentry", "body", "entry_body_search_idx"),
]


def _gin_indexes(apps):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    for model, column, name in SEARCH_INDEXES:
        yield apps.get_model("tickets", model), GinIndex(SearchVector(column, config="english"), name=name)


def add_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _gin_indexes(apps):
        schema_editor.add_index(model, index)


def remove_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _gin_indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_desk_work"),
    ]

    operations = [
        # (department, status) is the start of the new queue index, which serves both.
        migrations.RemoveIndex(model_name="ticket", name="ticket_department_idx"),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["department", "status", "priority", "-created_at"], name="ticket_dept_queue_idx"
            ),
        ),
        migrations.AddIndex(model_name="ticket", index=models.Index(fields=["team", "status"], name="ticket_team_idx")),
        migrations.AddIndex(model_name="ticket", index=models.Index(fields=["due_at"], name="ticket_due_idx")),
        migrations.AddIndex(model_name="ticket", index=models.Index(fields=["created_at"], name="ticket_created_idx")),
        migrations.AddIndex(model_name="ticket", index=models.Index(fields=["updated_at"], name="ticket_updated_idx")),
        migrations.RunPython(add_search_indexes, remove_search_indexes, elidable=False),
    ]
