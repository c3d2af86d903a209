"""Readiness per region at each month's end, stored as it was: the programme over time."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_report_include_guidance"),
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReadinessSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(help_text="The first day of the month the figures are for.")),
                ("sites", models.PositiveIntegerField(default=0, help_text="Sites with an assessment.")),
                ("ready", models.PositiveIntegerField(default=0, help_text="Sites ready to accept.")),
                ("accepted", models.PositiveIntegerField(default=0)),
                ("returned", models.PositiveIntegerField(default=0)),
                ("open_concerns", models.PositiveIntegerField(default=0)),
                (
                    "source",
                    models.CharField(
                        choices=[("stored", "Stored readiness"), ("audit", "Derived from the audit trail")],
                        default="stored",
                        max_length=8,
                    ),
                ),
                ("taken_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "region",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="sites.region"),
                ),
            ],
            options={
                "ordering": ["month", "region"],
                "constraints": [
                    models.UniqueConstraint(fields=("region", "month"), name="snapshot_one_per_region_month"),
                    models.CheckConstraint(
                        condition=models.Q(("source__in", ["stored", "audit"])), name="snapshot_source_valid"
                    ),
                ],
            },
        ),
    ]
