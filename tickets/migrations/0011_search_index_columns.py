"""The search index also carries the columns a search is narrowed by: status, department, team,
assignee and requester (PostgreSQL only, like 0010).

With the document alone in the GIN index, a search could not be narrowed to the agent's tickets
in the index: PostgreSQL either fetched every matching ticket from the table to check its queue
and department, or intersected the word's matches with a bitmap of every ticket the agent may see
(half a million at 1M tickets, 80 ms). btree_gin lets plain columns sit beside the document in one
GIN index, so "open and matching" is a single index scan and only those tickets are fetched.
The new index replaces 0010's under the same name; it serves a search without those columns too.
"""

from django.db import migrations

INDEX_NAME = "ticket_search_idx"
COLUMNS = ["status", "department", "team", "assignee", "requester", "search_document"]


def _index(fields):
    from django.contrib.postgres.indexes import GinIndex

    return GinIndex(fields=fields, name=INDEX_NAME)


def _replace(apps, schema_editor, old, new):
    if schema_editor.connection.vendor != "postgresql":
        return
    ticket = apps.get_model("tickets", "ticket")
    schema_editor.remove_index(ticket, _index(old))
    schema_editor.add_index(ticket, _index(new))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Going back leaves the extension: something else in the database may use it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    _replace(apps, schema_editor, ["search_document"], COLUMNS)


def backwards(apps, schema_editor):
    _replace(apps, schema_editor, COLUMNS, ["search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_ticket_search_document"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
