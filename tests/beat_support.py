"""A beat scheduler for the end-to-end test: the production entry for the morning reminders, due every second."""

from __future__ import annotations

from celery.beat import Scheduler
from django.conf import settings


class RemindersEverySecond(Scheduler):
    """In memory (no schedule file), one entry: settings' "send-reminders" task, every second instead of at 07:00."""

    def setup_schedule(self) -> None:
        entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
        self.merge_inplace({"send-reminders": {"task": entry["task"], "schedule": 1.0}})
