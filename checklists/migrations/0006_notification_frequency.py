"""How often each person hears of each kind of notification: each one as it happens, a weekly digest, or none.

A category switched off stays off (frequency "none"); one switched on is sent as it happens, as before."""

from django.db import migrations, models


def frequency_from_enabled(apps, schema_editor):
    NotificationPreference = apps.get_model("checklists", "NotificationPreference")
    NotificationPreference.objects.filter(enabled=False).update(frequency="none")


def enabled_from_frequency(apps, schema_editor):
    NotificationPreference = apps.get_model("checklists", "NotificationPreference")
    NotificationPreference.objects.filter(frequency="none").update(enabled=False)


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0005_item_provenance"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationpreference",
            name="frequency",
            field=models.CharField(
                choices=[("immediate", "Each one as it happens"), ("digest", "A weekly digest"), ("none", "No e-mail")],
                default="immediate",
                max_length=16,
            ),
        ),
        migrations.RunPython(frequency_from_enabled, enabled_from_frequency),
        migrations.RemoveField(model_name="notificationpreference", name="enabled"),
        migrations.AlterField(
            model_name="notificationpreference",
            name="category",
            field=models.CharField(
                choices=[
                    ("concerns", "Concerns raised, answered and closed"),
                    ("signoffs", "Sign-offs requested and given"),
                    ("review", "Assessments submitted, returned and accepted"),
                    ("due_soon", "Reminders: my items due in 7 days and in 1 day"),
                    ("overdue", "Reminders: my items overdue (weekly)"),
                    ("signoff_waiting", "Reminders: sign-offs waiting 3 days for the staff side"),
                    ("concern_waiting", "Reminders: concerns unanswered for 5 days"),
                    ("review_waiting", "Reminders: submissions waiting 10 days for review"),
                    ("evidence_expiry", "Reminders: evidence expiring in 30 days and in 7 days"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationpreference",
            constraint=models.CheckConstraint(
                condition=models.Q(("frequency__in", ["immediate", "digest", "none"])),
                name="notification_pref_frequency_valid",
            ),
        ),
    ]
