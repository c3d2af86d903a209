"""Review history records, item-level review queries, reasons for overrides and closed concerns."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0003_evidence_dates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="close_reason",
            field=models.TextField(
                blank=True, help_text="Why the concern was closed, when someone other than its raiser closed it."
            ),
        ),
        migrations.CreateModel(
            name="ReviewEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("submitted", "Submitted"),
                            ("returned", "Returned"),
                            ("resubmitted", "Resubmitted"),
                            ("override", "Accepted over a RED rating"),
                            ("accepted", "Accepted"),
                        ],
                        max_length=16,
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("reasons", models.TextField(blank=True)),
                ("rag", models.CharField(blank=True, help_text="The stored rating at the time.", max_length=8)),
                (
                    "snapshot",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="For a return: every response's status, narrative, owner, due date and current "
                        "evidence at the time, keyed by item id.",
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review_events",
                        to="checklists.assessment",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
                "indexes": [models.Index(fields=["assessment", "at"], name="reviewevent_assessment_at")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["submitted", "returned", "resubmitted", "override", "accepted"])
                        ),
                        name="reviewevent_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["returned", "override"]), _negated=True)
                        | models.Q(("reasons", ""), _negated=True),
                        name="reviewevent_return_override_have_reasons",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReviewQuery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question", models.TextField()),
                ("asked_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("answer", models.TextField(blank=True)),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                (
                    "state",
                    models.CharField(
                        choices=[("open", "Open"), ("answered", "Answered"), ("resolved", "Resolved")],
                        default="open",
                        max_length=16,
                    ),
                ),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "asked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review_queries",
                        to="checklists.assessment",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review_queries",
                        to="checklists.response",
                    ),
                ),
                (
                    "return_event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="queries",
                        to="checklists.reviewevent",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "review queries",
                "ordering": ["asked_at", "id"],
                "indexes": [models.Index(fields=["assessment", "state"], name="reviewquery_assessment_state")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["open", "answered", "resolved"])),
                        name="reviewquery_state_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("state", "open")) | models.Q(("answer", ""), _negated=True),
                        name="reviewquery_answered_has_answer",
                    ),
                ],
            },
        ),
    ]
