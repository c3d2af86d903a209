"""Exact query counts, Zulip-style: when a count changes, the failure prints every query, so the change is seen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Transaction control is not a query of the page's: it costs no plan and no rows.
_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


def counted(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if not q["sql"].upper().startswith(_CONTROL)]


@contextmanager
def assert_query_count(expected: int, what: str = "") -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as context:
        yield context
    queries = counted(context)
    if len(queries) != expected:
        listing = "\n".join(f"{n:3}. {sql[:300]}" for n, sql in enumerate(queries, 1))
        raise AssertionError(f"{what or 'block'}: {len(queries)} queries, expected {expected}:\n{listing}")
