"""Exact query counts, Zulip-style: when a count changes, the failure prints every query, so the change is seen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

from checklists.models import Comment, Evidence
from phb_readiness.sites.models import SiteRole

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


def fill_comments_and_evidence(world, per_item: int) -> None:
    """per_item comments (one an open concern) and links of evidence on every response of site A's assessment,
    written in bulk (for the query-count tests: rows that would cost queries if a page read them one by one)."""
    responses = list(world.assessment_a.responses.all())
    Comment.objects.bulk_create(
        Comment(
            response=r,
            author=world.rep_a,
            author_role=SiteRole.UNION_REP,
            body=f"Comment {i}",
            is_concern=i == 0,
            concern_state="open" if i == 0 else "",
        )
        for r in responses
        for i in range(per_item)
    )
    Evidence.objects.bulk_create(
        Evidence(
            response=r,
            kind="link",
            title=f"Link {i}",
            url=f"https://example.org/{r.pk}/{i}",
            uploaded_by=world.manager_a,
        )
        for r in responses
        for i in range(per_item)
    )
