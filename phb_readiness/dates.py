"""Dates as the pages write them, for the long lists (task list, national overview) that write one per row."""

from __future__ import annotations

import datetime

MONTHS_SHORT = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: datetime.date) -> str:
    """ "3 Jan 2027", as the template filter `date:"j M Y"` writes it, without its per-call format machinery."""
    return f"{day.day} {MONTHS_SHORT[day.month]} {day.year}"
