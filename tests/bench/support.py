"""Settings and URLs as a process started with or without PHB_BENCH builds them, inside one test."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches

BENCH_APP = "phb_readiness.bench"


def _urls_rebuilt() -> None:
    """phb_readiness.urls reads settings.PHB_BENCH when it is imported: import it again under the current settings."""
    import phb_readiness.urls

    importlib.reload(phb_readiness.urls)
    clear_url_caches()


@contextmanager
def phb_bench(on: bool = True) -> Iterator[None]:
    """PHB_BENCH on (the bench app installed, its URLs routed) or off, then back to the suite's own settings."""
    apps = [app for app in settings.INSTALLED_APPS if app != BENCH_APP] + ([BENCH_APP] if on else [])
    try:
        with override_settings(PHB_BENCH=on, INSTALLED_APPS=apps):
            _urls_rebuilt()
            yield
    finally:
        _urls_rebuilt()
