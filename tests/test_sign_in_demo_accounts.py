"""The embedded run's sign-in page lists every demo account seed_demo creates, so a new one appears by itself; other
installations list none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklists.management.commands.seed_demo import ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_embedded_sign_in_page_lists_every_demo_account(client, settings):
    settings.EMBEDDED = True
    html = client.get(reverse("login")).content.decode()
    for username, *_rest in ACCOUNTS:
        assert f"<code>{username}</code>:" in html, username
    assert html.count("</code>: ") == len(ACCOUNTS)
    assert DEMO_PASSWORD in html
    assert '<code>demo-reviewer-london</code>: SPF reviewer <span class="app-nowrap">(region LDN)</span>' in html


def test_other_installations_list_no_demo_account(client, settings):
    settings.EMBEDDED = False
    html = client.get(reverse("login")).content.decode()
    assert "<code>demo-" not in html and DEMO_PASSWORD not in html
