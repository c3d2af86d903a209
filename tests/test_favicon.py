"""The browser's icon is served from the app itself, at the address browsers ask for, to anyone."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_favicon_ico_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert _body(response)[:4] == b"\x00\x00\x01\x00"  # the ICO header


def test_pages_name_the_icon_and_it_is_served(client, world):
    client.force_login(world.manager_a)
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/favicon.svg"' in html
    svg = client.get("/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in _body(svg)
