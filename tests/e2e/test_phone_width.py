"""No page is wider than a 390 px phone, for every role: each page the role can open, JavaScript on, and the main
pages with JavaScript off. Wide tables scroll inside their own region (`.app-table-scroll`), never the page.

The pages come from the permission matrix (tests/test_permission_matrix.py): every URL has a row there, so a page
added to the app is checked here too. Each row's URL is built from a world like the demo's (open concerns, sign-offs,
evidence, a report, activity); a page is checked for a role when it answers that role's GET with a 200 HTML page.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from checklists.models import Section
from checklists.services.comments import comment_create
from phb_readiness.sites.models import SiteRole
from tests.factories import ReviewerScopeFactory
from tests.partnership_support import sign_section
from tests.test_permission_matrix import BENCH_ONLY, MATRIX, Objects, present_url_names
from tests.test_permission_matrix import objects as objects  # noqa: F401 - the matrix's fixture, reused

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 390
# Every role of the app: the site's three, both kinds of reviewer, the staff-side observer, the administrator.
ROLES = ["manager_a", "contributor_a", "rep_a", "reviewer", "regional_reviewer", "observer", "admin"]
# With JavaScript off: the pages people work in.
MAIN_PAGES = {
    "home",
    "checklists:assessment",
    "checklists:item",
    "checklists:submit",
    "partnership:signoff",
    "partnership:register",
    "partnership:review",
    "partnership:concerns",
    "partnership:activity",
    "reports:list",
    "reports:overview",
    "reports:detail",
    "reports:verify",
}
# Variants of a page in another state than its plain URL shows.
EXTRA_QUERIES = {"partnership:concerns": ["?show=all"], "checklists:assessment": ["?concerns=on"]}

# What sticks out to the right of the viewport (the outermost such elements), to name in a failure.
WIDEST = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !out.some((o) => o.el.contains(el))) {
      out.push({el, right: Math.round(box.right)});
    }
  }
  return out.slice(0, 3).map(({el, right}) =>
    `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} (to ${right}px)`);
}"""


@pytest.fixture
def demo_like(objects: Objects, world, settings) -> Objects:
    """The matrix's objects, and what the demo has besides: a signed section, a comment, a regional reviewer."""
    settings.PHB_MFA_ENFORCED = False  # the matrix's fixture switches it on; sessions here are not verified
    world.regional_reviewer = ReviewerScopeFactory(user__username="reviewer-nw", region=world.site_a.region).user
    assessment = world.assessment_a
    # a section the matrix's objects (written past the services) do not touch
    last_section = Section.objects.filter(framework=assessment.framework).order_by("-position").first()
    sign_section(assessment, last_section, manager=world.manager_a, rep=world.rep_a)
    comment_create(
        response=objects.concern.response,
        user=world.contributor_a,
        role=SiteRole.CONTRIBUTOR,
        body="The draft agreement is at https://intranet.example.nhs.uk/partnership/agreements/2010/personal-"
        "health-budgets-pilot-staff-side-consultation-draft-v3.pdf for comment by the staff side.",
    )
    return objects


def _urls(objects: Objects) -> list[tuple[str, str]]:
    present = present_url_names()
    urls = []
    for name, row in sorted(MATRIX.items()):
        if row.get is None or name in BENCH_ONLY or name not in present:
            continue
        try:
            url = reverse(name, kwargs=row.kwargs(objects))
        except NoReverseMatch:
            continue
        urls.append((name, url))
        urls += [(name, url + query) for query in EXTRA_QUERIES.get(name, [])]
    return urls


def _pages_for(user, urls: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], Client]:
    """The pages this person gets as a 200 HTML page, and their signed-in client."""
    client = Client()
    if user is not None:
        client.force_login(user)
    pages = []
    for name, url in urls:
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            pages.append((name, url))
    return pages, client


def _phone(browser, live_server, client: Client, *, javascript: bool):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": WIDTH, "height": 844}, device_scale_factor=1
    )
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is not None:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    return context


def _too_wide(browser, live_server, client, pages, *, javascript: bool, label: str, screenshot_dir) -> list[str]:
    context = _phone(browser, live_server, client, javascript=javascript)
    page = context.new_page()
    page.set_default_timeout(20_000)
    wide = []
    try:
        for name, url in pages:
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, f"{url} as {label}: {response and response.status}"
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                slug = url.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
                page.screenshot(path=screenshot_dir / f"phone-too-wide-{label}-{slug}.png", full_page=True)
                wide.append(f"{name} {url} as {label}: {width}px wide; {', '.join(page.evaluate(WIDEST, WIDTH))}")
    finally:
        context.close()
    return wide


@pytest.mark.parametrize("role", ROLES)
def test_no_page_is_wider_than_a_phone(live_server, browser, world, demo_like, role, screenshot_dir):
    user = getattr(world, role, None)
    if user is None:
        pytest.skip(f"no {role} in this world")
    pages, client = _pages_for(user, _urls(demo_like))
    assert len(pages) >= 8, f"{role} reaches too few pages to be a real check: {pages}"
    wide = _too_wide(browser, live_server, client, pages, javascript=True, label=role, screenshot_dir=screenshot_dir)
    main = [(name, url) for name, url in pages if name in MAIN_PAGES]
    wide += _too_wide(
        browser, live_server, client, main, javascript=False, label=f"{role}-no-js", screenshot_dir=screenshot_dir
    )
    assert not wide, "Pages wider than a 390 px phone:\n  " + "\n  ".join(wide)


def test_no_signed_out_page_is_wider_than_a_phone(live_server, browser, world, demo_like, screenshot_dir):
    pages, client = _pages_for(None, _urls(demo_like))
    names = {name for name, _url in pages}
    assert {"login", "reports:verify", "password_reset"} <= names
    wide = []
    for javascript in (True, False):
        label = "signed-out" + ("" if javascript else "-no-js")
        wide += _too_wide(
            browser, live_server, client, pages, javascript=javascript, label=label, screenshot_dir=screenshot_dir
        )
    assert not wide, "Pages wider than a 390 px phone:\n  " + "\n  ".join(wide)
