"""A web process warms up as it loads: views imported, templates compiled, URL tables built, before any request."""

import importlib

import pytest

from phb_readiness.warmup import warm_up


@pytest.mark.django_db
def test_warm_up_compiles_the_pages_templates_and_the_form_pack():
    compiled = warm_up()
    assert {"reports/overview.html", "checklists/item.html", "base.html"} <= set(compiled)
    assert any(name.startswith("gds/") for name in compiled)


def test_the_wsgi_application_warms_up_when_it_loads(monkeypatch):
    calls = []
    monkeypatch.setattr("phb_readiness.warmup.warm_up", lambda: calls.append(1))
    wsgi = importlib.import_module("phb_readiness.wsgi")
    if not calls:  # imported before this test: load it again
        importlib.reload(wsgi)
    assert calls == [1]
