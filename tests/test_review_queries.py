"""Item queries: a reviewer returns an assessment with a query on several items; the site's manager sees each at the
top of the item's page and on the task list, answers it and only then resubmits; the reviewer resolves each query
or keeps it open."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from checklists.models import Assessment, ReviewEvent, ReviewQuery
from checklists.services.assessments import SubmitBlocked, assessment_submit
from checklists.services.checks import PartnershipError
from checklists.services.review import assessment_accept, review_query_answer, review_query_resolve
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.review_support import answer_queries, returned_with_queries, review_url, submitted, two_codes

pytestmark = pytest.mark.django_db


def item_url(assessment, code):
    return reverse("checklists:item", args=[assessment.pk, code])


def test_a_return_asks_about_several_items_after_a_confirmation(client, world):
    a = submitted(world)
    codes = two_codes(a)
    client.force_login(world.reviewer)
    form = client.get(review_url(a)).content.decode()
    assert f'name="query-{codes[0]}"' in form and f'name="query-{codes[1]}"' in form
    data = {
        "action": "return",
        "reasons": "Two items need more.",
        f"query-{codes[0]}": "Which meeting agreed this?",
        f"query-{codes[1]}": "Where is the signed copy?",
    }
    confirm = client.post(review_url(a), data).content.decode()
    assert "Return this assessment to the site?" in confirm and "Where is the signed copy?" in confirm
    assert not ReviewQuery.objects.exists()
    reply = client.post(review_url(a), {**data, "confirm": "yes"})
    assert reply.status_code == 302
    a.refresh_from_db()
    assert a.state == Assessment.State.RETURNED
    returned = ReviewEvent.objects.get(assessment=a, kind=ReviewEvent.Kind.RETURNED)
    queries = {q.response.item.code: q for q in ReviewQuery.objects.select_related("response__item")}
    assert set(queries) == set(codes)
    assert all(q.return_event == returned and q.state == "open" for q in queries.values())
    assert AuditEvent.objects.get(action="assessment.return").after["queries"] == {
        codes[0]: "Which meeting agreed this?",
        codes[1]: "Where is the signed copy?",
    }


def test_the_manager_sees_each_query_on_the_item_page_and_the_task_list(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    client.force_login(world.manager_a)
    task_list = client.get(reverse("checklists:assessment", args=[a.pk])).content.decode()
    assert "The reviewer asked about 2 items" in task_list
    assert task_list.count("A query from the reviewer") == 2
    page = client.get(item_url(a, codes[0])).content.decode()
    assert "The reviewer's query" in page and f"What is behind {codes[0]}?" in page
    assert "Answer query" in page
    client.force_login(world.rep_a)  # the staff side reads the query, but does not answer it
    page = client.get(item_url(a, codes[0])).content.decode()
    assert f"What is behind {codes[0]}?" in page and "Answer query" not in page


def test_a_resubmission_with_an_unanswered_query_is_refused(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    first = ReviewQuery.objects.get(response__item__code=codes[0])
    review_query_answer(query=first, user=world.manager_a, role=SiteRole.MANAGER, answer="The March forum.")
    with pytest.raises(SubmitBlocked) as refused:
        assessment_submit(assessment=a, user=world.manager_a)
    assert [b.message for b in refused.value.blockers if b.kind == "query"] == [
        f"{codes[1]}: the reviewer's query has no answer yet"
    ]
    client.force_login(world.manager_a)
    reply = client.post(reverse("checklists:submit", args=[a.pk]))
    body = reply.content.decode()
    assert "Reviewer&#x27;s queries without an answer: 1" in body and codes[1] in body
    a.refresh_from_db()
    assert a.state == Assessment.State.RETURNED

    client.post(
        reverse("partnership:query_answer", args=[a.pk, ReviewQuery.objects.get(state="open").pk]),
        {"answer": "Attached."},
    )
    assert assessment_submit(assessment=a, user=world.manager_a).state == Assessment.State.SUBMITTED
    assert list(ReviewEvent.objects.filter(assessment=a).values_list("kind", flat=True)) == [
        "submitted",
        "returned",
        "resubmitted",
    ]


def test_an_empty_answer_is_a_form_error(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    query = ReviewQuery.objects.first()
    client.force_login(world.manager_a)
    reply = client.post(reverse("partnership:query_answer", args=[a.pk, query.pk]), {"answer": "  "})
    assert reply.status_code == 200 and "<title>Error: " in reply.content.decode()
    query.refresh_from_db()
    assert query.state == "open"


def test_the_reviewer_resolves_a_query_or_keeps_it_open(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    answer_queries(world, a)
    assessment_submit(assessment=a, user=world.manager_a)
    kept, resolved = (ReviewQuery.objects.get(response__item__code=code) for code in codes)
    client.force_login(world.reviewer)
    page = client.get(review_url(a)).content.decode()
    assert page.count(">Resolve<") == 2 and "See the new minutes." in page
    client.post(reverse("partnership:query_resolve", args=[a.pk, resolved.pk]), {"decision": "resolve"})
    client.post(reverse("partnership:query_resolve", args=[a.pk, kept.pk]), {"decision": "keep_open"})
    resolved.refresh_from_db()
    kept.refresh_from_db()
    assert (resolved.state, resolved.resolved_by) == ("resolved", world.reviewer)
    assert (kept.state, kept.answer) == ("open", "See the new minutes.")
    assert {e.action for e in AuditEvent.objects.filter(action__startswith="review_query.")} == {
        "review_query.answer",
        "review_query.resolve",
        "review_query.keep_open",
    }
    # a query kept open stands between the assessment and acceptance
    with pytest.raises(PartnershipError, match="1 item query is not resolved"):
        assessment_accept(assessment=a, user=world.reviewer, role=SiteRole.REVIEWER)


def test_only_the_manager_answers_and_only_a_reviewer_resolves(world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    query = ReviewQuery.objects.first()
    with pytest.raises(PermissionDenied):
        review_query_answer(query=query, user=world.rep_a, role=SiteRole.UNION_REP, answer="Mine.")
    answer_queries(world, a)
    assessment_submit(assessment=a, user=world.manager_a)
    with pytest.raises(PermissionDenied):
        review_query_resolve(query=query, user=world.manager_a, role=SiteRole.MANAGER)


def test_the_return_email_lists_the_queries(world, django_capture_on_commit_callbacks):
    codes = two_codes(world.assessment_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        returned_with_queries(world, codes)
    messages = [m for m in mail.outbox if m.subject.startswith("Returned by the reviewer")]
    assert messages and all(f"- {code}: What is behind {code}?" in m.body for m in messages for code in codes)
