"""Every URL x every persona x GET and POST, against site A's objects; a URL without a row fails.

Each row builds the URL's arguments from the `world` and says what each persona gets. Shorthand for a row's
expectations: `scoped("MCURA")` means the roles listed (M manager A, C contributor A, U union rep A, R national
reviewer, O staff-side observer of site A's region, A administrator) get through, anyone else who can see site A
gets 403, people of other sites and regions get 404, and an anonymous visitor is sent to sign in. POSTs run with
CSRF checks on and a valid token.
To cover a new URL, add a row to MATRIX under its name ("namespace:name").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from checklists.models import ChecklistImport, Comment, Evidence, ReviewEvent, ReviewQuery
from phb_readiness.reports.models import Report
from tests.bench.support import phb_bench
from tests.mfa_support import sign_in_verified

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "manager_a",
    "contributor_a",
    "rep_a",
    "manager_b",
    "reviewer",
    "regional_reviewer_other",
    "observer",
    "observer_other",
    "admin",
]
LETTER = {"M": "manager_a", "C": "contributor_a", "U": "rep_a", "R": "reviewer", "O": "observer", "A": "admin"}
OUTSIDERS = ("manager_b", "regional_reviewer_other", "observer_other")

LOGIN = "sign-in"  # 302 to the sign-in page
ADMIN_LOGIN = "admin sign-in"  # 302 to the admin's sign-in page
ACCEPTED = "accepted"  # through the access checks: 200, a redirect that is not to sign in, a form error or a conflict
ACCEPTED_CODES = {200, 204, 302, 303, 400, 409}
Expect = int | str


def scoped(ok: str, *, allowed: Expect = 200, denied: Expect = 403, outsider: Expect = 404) -> dict[str, Expect]:
    """The usual shape for site A's objects: the roles in `ok` get `allowed`, other site-A viewers `denied`."""
    expected: dict[str, Expect] = {"anonymous": LOGIN}
    for letter, persona in LETTER.items():
        expected[persona] = allowed if letter in ok else denied
    expected.update(dict.fromkeys(OUTSIDERS, outsider))
    return expected


def everyone(code: Expect, **overrides: Expect) -> dict[str, Expect]:
    expected: dict[str, Expect] = {"anonymous": LOGIN, **dict.fromkeys(PERSONAS[1:], code)}
    expected.update(overrides)
    return expected


def not_allowed() -> dict[str, Expect]:
    """A POST-only (or GET-only) view asked with the other method: 405 once signed in."""
    return everyone(405)


@dataclass
class Objects:
    """Site A's objects the URLs point at."""

    world: object
    code: str
    section_code: str
    concern: Comment
    evidence: Evidence
    report: Report
    query: ReviewQuery | None = None


@dataclass
class Row:
    kwargs: Callable[[Objects], dict] = field(default=lambda o: {})
    get: dict[str, Expect] | None = None
    post: dict[str, Expect] | None = None
    data: Callable[[Objects], dict] = field(default=lambda o: {})


def assessment(o: Objects) -> dict:
    return {"pk": o.world.assessment_a.pk}


def item(o: Objects) -> dict:
    return {"pk": o.world.assessment_a.pk, "code": o.code}


def concern(o: Objects) -> dict:
    return {"pk": o.world.assessment_a.pk, "comment_id": o.concern.pk}


def pending_import(o: Objects) -> ChecklistImport:
    """Site A's manager's pending spreadsheet import (changing nothing, so confirming it writes nothing)."""
    return ChecklistImport.objects.get_or_create(
        assessment=o.world.assessment_a, uploaded_by=o.world.manager_a, defaults={"filename": "a.xlsx", "rows": []}
    )[0]


def review_query(o: Objects) -> dict:
    return {"pk": o.world.assessment_a.pk, "query_id": o.query.pk}


def site(o: Objects) -> dict:
    return {"code": o.world.site_a.code}


def evidence(o: Objects) -> dict:
    return {"pk": o.evidence.pk}


def report(o: Objects) -> dict:
    return {"pk": o.report.pk}


# views that check access first and refuse other methods after: outsiders still get 404
GET_ONLY_AFTER_ACCESS = scoped("MCUROA", allowed=405, denied=405)
# the programme's overview: reviewers and staff-side observers (each of their own scope) and administrators
REVIEWERS = everyone(403, reviewer=200, regional_reviewer_other=200, observer=200, observer_other=200, admin=200)

MATRIX: dict[str, Row] = {
    "home": Row(get=everyone(200), post=everyone(ACCEPTED)),
    "healthz": Row(get={p: 200 for p in PERSONAS}, post={p: 405 for p in PERSONAS}),
    "login": Row(get=everyone(302, anonymous=200), post=everyone(302, anonymous=200)),
    "logout": Row(get={p: 405 for p in PERSONAS}, post={p: LOGIN for p in PERSONAS}),
    "accounts:mfa": Row(get=everyone(200), post=not_allowed()),
    "accounts:mfa_setup": Row(get=everyone(200), post=everyone(400)),
    "accounts:mfa_verify": Row(get=everyone(302), post=everyone(302)),
    "accounts:mfa_remove": Row(get=not_allowed(), post=everyone(302)),
    "accounts:account": Row(get=everyone(200), post=not_allowed()),
    "accounts:recovery_codes": Row(get=everyone(200), post=not_allowed()),
    "accounts:recovery_codes_new": Row(get=not_allowed(), post=everyone(302)),
    # a password change needs a (verified) sign-in; the reset pages are open to anyone
    "password_change": Row(get=everyone(200), post=everyone(400)),
    "password_change_done": Row(get=everyone(200), post=not_allowed()),
    "password_reset": Row(get={p: 200 for p in PERSONAS}, post={p: 400 for p in PERSONAS}),
    "password_reset_done": Row(get={p: 200 for p in PERSONAS}, post={p: 405 for p in PERSONAS}),
    "password_reset_confirm": Row(
        lambda o: {"uidb64": "MQ", "token": "not-a-token"},
        get={p: 200 for p in PERSONAS},
        post={p: 200 for p in PERSONAS},
    ),
    "password_reset_complete": Row(get={p: 200 for p in PERSONAS}, post={p: 405 for p in PERSONAS}),
    "admin:index": Row(
        get=everyone(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, admin=200),
        post=everyone(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, admin=200),
    ),
    # non-staff people see the admin's "not authorised for this page" sign-in form; the admin is sent on
    "admin:login": Row(get=everyone(200, anonymous=200, admin=302), post=everyone(200, anonymous=200)),
    # site A's assessment and its items
    "checklists:assessment": Row(assessment, get=scoped("MCUROA"), post=not_allowed()),
    "checklists:item": Row(item, get=scoped("MCUROA"), post=scoped("MC", allowed=ACCEPTED)),
    "checklists:evidence_add": Row(item, get=not_allowed(), post=scoped("MC", allowed=ACCEPTED)),
    # anyone who may see the assessment sees what stands between it and review; only its manager submits
    "checklists:submit": Row(assessment, get=scoped("MCUROA"), post=scoped("M", allowed=ACCEPTED)),
    "checklists:evidence_remove": Row(evidence, get=scoped("MC"), post=scoped("MC", allowed=ACCEPTED)),
    "checklists:evidence_download": Row(evidence, get=scoped("MCUROA"), post=not_allowed()),
    # importing a spreadsheet: only those who edit the answers; a pending import is its uploader's alone (the
    # contributor sees the manager's as no such import)
    "checklists:import_upload": Row(assessment, get=scoped("MC"), post=scoped("MC", allowed=ACCEPTED)),
    "checklists:import_preview": Row(
        lambda o: {"pk": o.world.assessment_a.pk, "import_pk": pending_import(o).pk},
        get={**scoped("M"), "contributor_a": 404},
        post={**scoped("M", allowed=ACCEPTED), "contributor_a": 404},
    ),
    # partnership
    "partnership:comment_create": Row(
        item, get=scoped("MCURO"), post=scoped("MCURO", allowed=ACCEPTED), data=lambda o: {"body": "A comment."}
    ),
    "partnership:concern_create": Row(
        item, get=scoped("URO"), post=scoped("URO", allowed=ACCEPTED), data=lambda o: {"body": "A concern."}
    ),
    "partnership:concern_answer": Row(
        concern, get=scoped("M"), post=scoped("M", allowed=ACCEPTED), data=lambda o: {"answer": "Answered."}
    ),
    # the raiser closes their own concern; a reviewer closes anyone's, on a page that asks for the reason
    "partnership:concern_close": Row(
        concern, get=scoped("UR"), post=scoped("UR", allowed=ACCEPTED), data=lambda o: {"reason": "Resolved."}
    ),
    "partnership:concern_reopen": Row(concern, get=not_allowed(), post=scoped("UR", allowed=ACCEPTED)),
    "partnership:signoff": Row(
        lambda o: {"pk": o.world.assessment_a.pk, "section_code": o.section_code},
        get=scoped("MCUROA"),
        post=scoped("MU", allowed=ACCEPTED),
    ),
    "partnership:register": Row(assessment, get=scoped("MCUROA"), post=GET_ONLY_AFTER_ACCESS),
    "partnership:review": Row(assessment, get=scoped("MCUROA"), post=scoped("R", allowed=ACCEPTED)),
    # a reviewer's query on an item: its site's manager answers it, a reviewer resolves it (everyone sees it on the
    # item and review pages, rows above)
    "partnership:query_answer": Row(
        review_query, get=scoped("M"), post=scoped("M", allowed=ACCEPTED), data=lambda o: {"answer": "Done."}
    ),
    "partnership:query_resolve": Row(review_query, get=not_allowed(), post=scoped("R", allowed=ACCEPTED)),
    "partnership:new_round": Row(assessment, get=not_allowed(), post=scoped("MR", allowed=ACCEPTED)),
    "partnership:concerns": Row(site, get=scoped("MCUROA"), post=GET_ONLY_AFTER_ACCESS),
    "partnership:activity": Row(site, get=scoped("MCUROA"), post=GET_ONLY_AFTER_ACCESS),
    "partnership:rounds": Row(site, get=scoped("MCUROA"), post=not_allowed()),
    "partnership:preferences": Row(get=everyone(200), post=everyone(ACCEPTED)),
    "inbox:list": Row(get=everyone(200), post=not_allowed()),
    # reports
    "reports:overview": Row(get=REVIEWERS, post=not_allowed()),
    "reports:site_checklist_xlsx": Row(site, get=scoped("MCUROA"), post=not_allowed()),
    "reports:site_checklist_template": Row(site, get=scoped("MCUROA"), post=not_allowed()),
    "reports:list": Row(get=everyone(200), post=not_allowed()),
    "reports:request_national": Row(
        get=not_allowed(),
        post=everyone(403, reviewer=302, regional_reviewer_other=302, observer=302, observer_other=302, admin=302),
    ),
    # "Verify a report" is open to anyone, signed in or not (it answers only whether a report was issued)
    "reports:verify": Row(get={p: 200 for p in PERSONAS}, post={p: 200 for p in PERSONAS}),
    # a site's reports are for those who may request them (manager, union rep, reviewer): 404 to anyone else
    "reports:detail": Row(report, get=scoped("MURO", denied=404), post=not_allowed()),
    "reports:retry": Row(report, get=not_allowed(), post=scoped("MURO", allowed=302, denied=404)),
    "reports:download": Row(report, get=scoped("MURO", denied=404), post=not_allowed()),
    "reports:request_site": Row(assessment, get=not_allowed(), post=scoped("MURO", allowed=302)),
    # the benchmark's floor: a bare view open to all, routed only with PHB_BENCH on (see BENCH_ONLY)
    "bench:floor": Row(get=everyone(200, anonymous=200), post=everyone(200, anonymous=200)),
}

# Rows routed only with PHB_BENCH on (the benchmark's server): checked with it on; tests/bench checks that the
# production URLs have none of them.
BENCH_ONLY = {"bench:floor"}


@pytest.fixture
def bench_urls():
    with phb_bench(on=True):
        yield


# The admin's own URLs are covered by its staff check (admin:index above is the sample; test_admin_urls_need_staff
# checks every admin list and add page for a signed-in non-staff person). Static files are served by WhiteNoise
# before any URL pattern.
ADMIN_PREFIX = "admin/"


def url_patterns(patterns=None, prefix: str = "", namespace: str | None = None):
    """(route, name) of every URL pattern, recursively."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def test_every_url_has_a_row():
    missing = sorted(
        f"{name or '(unnamed)'} at /{route}"
        for route, name in url_patterns()
        if not route.startswith(ADMIN_PREFIX) and name not in MATRIX
    )
    assert not missing, "URLs without a row in tests/test_permission_matrix.py MATRIX:\n  " + "\n  ".join(missing)


@pytest.fixture
def objects(world, settings) -> Objects:
    settings.PHB_MFA_ENFORCED = True
    response = world.assessment_a.responses.select_related("item__section").first()
    content = b"%PDF-1.4\n% evidence\n"
    evidence = Evidence(
        response=response,
        kind=Evidence.Kind.FILE,
        title="Policy",
        original_filename="policy.pdf",
        size=len(content),
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=world.contributor_a,
    )
    evidence.file.save("policy.pdf", ContentFile(content), save=False)
    evidence.save()
    concern_ = Comment.objects.create(
        response=response,
        author=world.rep_a,
        author_role="union_rep",
        body="Is the policy agreed with the staff side?",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )
    report = Report(
        kind=Report.Kind.SITE,
        assessment=world.assessment_a,
        site=world.site_a,
        requested_by=world.manager_a,
        state=Report.State.SUCCEEDED,
        sha256="f" * 64,
        pages=1,
    )
    report.file.save("site-a.pdf", ContentFile(b"%PDF-1.4\n%report\n"), save=False)
    report.save()
    returned = ReviewEvent.objects.create(
        assessment=world.assessment_a, kind=ReviewEvent.Kind.RETURNED, by=world.reviewer, reasons="More, please."
    )
    query = ReviewQuery.objects.create(
        assessment=world.assessment_a,
        response=response,
        return_event=returned,
        question="Which meeting agreed it?",
        asked_by=world.reviewer,
    )
    return Objects(
        world=world,
        code=response.item.code,
        section_code=response.item.section.code,
        concern=concern_,
        evidence=evidence,
        report=report,
        query=query,
    )


CSRF = "matrixcsrftoken0123456789abcdefX"  # an unmasked 32-character secret is a valid token


def client_for(persona: str, world) -> Client:
    client = Client(enforce_csrf_checks=True)
    if persona != "anonymous":
        sign_in_verified(client, getattr(world, persona))
    client.cookies["csrftoken"] = CSRF
    return client


def outcome(response) -> Expect:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
    return response.status_code


def matches(got: Expect, expected: Expect) -> bool:
    if expected == ACCEPTED:
        return got in ACCEPTED_CODES
    return got == expected


def present_url_names() -> set[str]:
    return {name for _route, name in url_patterns() if name}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_the_expected_answer(name, objects, request):
    if name in BENCH_ONLY:
        request.getfixturevalue("bench_urls")
    if name not in present_url_names():
        pytest.skip(f"{name} is not wired in this configuration")
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(objects))
    wrong = []
    for persona in PERSONAS:
        client = client_for(persona, objects.world)
        for method, expected in (("GET", row.get), ("POST", row.post)):
            if expected is None:
                continue
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, {"csrfmiddlewaretoken": CSRF, **row.data(objects)})
                transaction.set_rollback(True)  # every request starts from the same state
            got = outcome(response)
            if not matches(got, expected[persona]):
                wrong.append(f"{method} {url} as {persona}: expected {expected[persona]}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_post_without_the_csrf_token_is_refused(objects):
    client = client_for("manager_a", objects.world)
    url = reverse("partnership:comment_create", kwargs=item(objects))
    assert client.post(url, {"body": "No token."}).status_code == 403


def test_admin_urls_need_staff(objects):
    client = client_for("manager_a", objects.world)
    checked = 0
    for route, name in url_patterns():
        if route.startswith(ADMIN_PREFIX) and name and name.endswith(("_changelist", "_add")):
            response = client.get(reverse(name))
            assert outcome(response) == ADMIN_LOGIN, f"{name}: {response.status_code}"
            checked += 1
    assert checked > 20


def test_mixing_one_sites_ids_into_anothers_urls_finds_nothing(objects):
    """Site B's manager aims site A's object ids at URLs under site B's own assessment (and the reverse)."""
    world = objects.world
    b = world.assessment_b
    b_code = b.responses.select_related("item").first().item.code
    probes = [
        ("POST", reverse("partnership:concern_close", kwargs={"pk": b.pk, "comment_id": objects.concern.pk})),
        ("POST", reverse("partnership:concern_answer", kwargs={"pk": b.pk, "comment_id": objects.concern.pk})),
        ("POST", reverse("checklists:evidence_remove", kwargs={"pk": objects.evidence.pk})),
        ("GET", reverse("checklists:evidence_download", kwargs={"pk": objects.evidence.pk})),
        ("GET", reverse("reports:download", kwargs={"pk": objects.report.pk})),
        ("GET", reverse("checklists:item", kwargs={"pk": world.assessment_a.pk, "code": b_code})),
    ]
    client = client_for("manager_b", world)
    for method, url in probes:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, {"csrfmiddlewaretoken": CSRF})
            transaction.set_rollback(True)
        assert response.status_code == 404, f"{method} {url} as manager_b: {response.status_code}"
    objects.concern.refresh_from_db()
    assert objects.concern.concern_state == Comment.ConcernState.OPEN
    assert Evidence.objects.filter(pk=objects.evidence.pk, removed_at__isnull=True).exists()
