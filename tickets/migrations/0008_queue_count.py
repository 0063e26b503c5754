"""Queue counts kept by the database: the QueueCount table, its triggers on tickets_ticket,
and a first count of the tickets already there (see tickets/queuecounts.py)."""

from django.db import migrations, models


def install(apps, schema_editor):
    from tickets import queuecounts

    queuecounts.install_triggers(schema_editor.connection.alias)
    schema_editor.execute(queuecounts.RECOUNT)  # the tickets already there


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tickets_queuecount_track() CASCADE")
    else:
        for action in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS tickets_queuecount_{action}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_sweep_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("department_id", models.BigIntegerField()),
                ("team_id", models.BigIntegerField(null=True)),
                ("assignee_id", models.BigIntegerField(null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("pending", "Pending"), ("resolved", "Resolved"), ("closed", "Closed")],
                        max_length=10,
                    ),
                ),
                ("is_overdue", models.BooleanField()),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
