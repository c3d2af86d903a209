"""The floor of the benchmark: a bare Django view on the same server, through the same middleware, doing no work."""

from __future__ import annotations

import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse


def bench_enabled() -> bool:
    """Only in development or in a server the benchmark starts (PHB_BENCH=1); never a public production URL."""
    return settings.DEBUG or os.environ.get("PHB_BENCH") == "1"


def bench_floor(request: HttpRequest) -> HttpResponse:
    if not bench_enabled():
        raise Http404
    return HttpResponse(b"floor\n", content_type="text/plain")
