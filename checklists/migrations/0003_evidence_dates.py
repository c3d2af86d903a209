"""Evidence: the date it speaks for and the date it is valid until."""

import django.utils.timezone
from django.db import migrations, models


def dated_from_upload(apps, schema_editor):
    """Existing evidence speaks for the day it was uploaded, the best date known for it."""
    Evidence = apps.get_model("checklists", "Evidence")
    for ev in Evidence.objects.only("pk", "uploaded_at").iterator():
        Evidence.objects.filter(pk=ev.pk).update(dated=django.utils.timezone.localdate(ev.uploaded_at))


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0002_readiness"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="dated",
            field=models.DateField(
                default=django.utils.timezone.localdate,
                help_text="The date the evidence speaks for (a certificate's issue date, a policy's approval date).",
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="valid_until",
            field=models.DateField(
                blank=True,
                null=True,
                help_text="The last day the evidence holds; after it the evidence has lapsed and no longer counts.",
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="lapsed_at",
            field=models.DateTimeField(
                blank=True, null=True, help_text="When the daily job recorded that the evidence had lapsed."
            ),
        ),
        migrations.AddField(
            model_name="readiness",
            name="unevidenced",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Items recorded as in place that expect evidence and have none current: not in place for "
                "the rating, and they keep the assessment from being submitted.",
            ),
        ),
        migrations.RunPython(dated_from_upload, migrations.RunPython.noop, elidable=True),
    ]
