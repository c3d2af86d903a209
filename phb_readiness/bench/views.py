"""The floor of the benchmark: a bare Django view on the same server, through the same middleware, doing no work."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse


def bench_floor(request: HttpRequest) -> HttpResponse:
    # Routed only when PHB_BENCH is on; refused here too, should anything else ever route it.
    if not getattr(settings, "PHB_BENCH", False):
        raise Http404
    return HttpResponse(b"floor\n", content_type="text/plain")
