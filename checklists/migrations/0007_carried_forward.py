"""Answers carried forward into a new round, until confirmed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0006_notification_frequency"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="carried_forward",
            field=models.BooleanField(
                default=False,
                help_text="Copied from the round before and not yet confirmed or changed in this round.",
            ),
        ),
    ]
