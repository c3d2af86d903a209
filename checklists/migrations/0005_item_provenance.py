"""Where each item comes from, and why it is mandatory or optional and expects evidence."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0004_review_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="provenance",
            field=models.CharField(
                blank=True,
                choices=[
                    ("question", "Question of the guidance"),
                    ("requirement", "Requirement of the guidance"),
                    ("motion", "UNISON 2009 motion"),
                    ("service", "Added by this service"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="item",
            name="source_passage",
            field=models.TextField(blank=True, help_text="The passage of the source the item comes from, quoted."),
        ),
        migrations.AddField(
            model_name="item",
            name="mandatory_reason",
            field=models.TextField(blank=True, help_text="Why the item is mandatory, or why it is optional."),
        ),
        migrations.AddField(
            model_name="item",
            name="evidence_reason",
            field=models.TextField(blank=True, help_text="Why the item expects evidence, or why it does not."),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(provenance__in=["", "question", "requirement", "motion", "service"]),
                name="item_provenance_valid",
            ),
        ),
    ]
