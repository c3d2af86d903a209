"""Staff-side observers: a scope for union officers watching a region or the whole programme."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewerscope",
            name="role",
            field=models.CharField(
                choices=[("reviewer", "SPF reviewer"), ("observer", "Staff-side observer")],
                default="reviewer",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="reviewerscope",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text="Leave empty for the whole programme.",
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="reviewer_scopes",
                to="sites.region",
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewerscope",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["reviewer", "observer"])), name="reviewerscope_role_valid"
            ),
        ),
    ]
