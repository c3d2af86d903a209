"""The inbox: every notification and reminder a person is sent, and the once-a-day ledger of what was sent."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sites", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(help_text='What it is, e.g. "concern.raised" or "reminder.due_7".', max_length=40),
                ),
                ("category", models.CharField(help_text="The preference it is sent under.", max_length=16)),
                (
                    "key",
                    models.CharField(
                        help_text='What it is about, e.g. "response:12" (an event: its own id).', max_length=120
                    ),
                ),
                ("day", models.DateField(default=django.utils.timezone.localdate)),
                ("subject", models.CharField(max_length=300)),
                ("body", models.TextField()),
                ("link", models.CharField(blank=True, help_text="The page where the action is taken.", max_length=500)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("read_at", models.DateTimeField(blank=True, null=True)),
                (
                    "email",
                    models.CharField(
                        choices=[
                            ("immediate", "Each one as it happens"),
                            ("digest", "A weekly digest"),
                            ("none", "No e-mail"),
                        ],
                        default="immediate",
                        max_length=16,
                    ),
                ),
                (
                    "emailed_at",
                    models.DateTimeField(blank=True, help_text="When its e-mail (or digest) was sent.", null=True),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="sites.pilotsite",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["user", "-created_at"], name="inbox_user_newest"),
                    models.Index(condition=models.Q(("read_at__isnull", True)), fields=["user"], name="inbox_unread"),
                    models.Index(
                        condition=models.Q(("emailed_at__isnull", True)), fields=["email"], name="inbox_email_pending"
                    ),
                    models.Index(fields=["created_at"], name="inbox_created"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "kind", "key", "day"), name="inbox_once_per_day"),
                    models.CheckConstraint(
                        condition=models.Q(("email__in", ["immediate", "digest", "none"])), name="inbox_email_valid"
                    ),
                ],
            },
        ),
    ]
