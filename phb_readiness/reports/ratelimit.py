"""A count of uses per person or address in a fixed window, kept in the cache (Redis when PHB_CACHE_URL is set)."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def rate_limit_take(*, scope: str, who: str, limit: int, window: int) -> int:
    """Count one use of `scope` by `who`: 0 while within `limit` uses in the current window of `window` seconds,
    otherwise the seconds until the window ends. A cache that cannot be reached lets the use through (and logs it):
    the limit protects the service, it must not take it down."""
    now = int(time.time())
    start = now - now % window
    key = f"rate:{scope}:{who}:{start}"
    try:
        cache.add(key, 0, timeout=window + 5)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 5)
            used = 1
    except Exception:
        logger.warning("The cache could not count %s for %s: not limited", scope, who, exc_info=True)
        return 0
    return 0 if used <= limit else max(1, start + window - now)
