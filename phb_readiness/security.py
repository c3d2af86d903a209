"""Request hardening that applies to every page: odd paths, which proxy to believe, and what browsers may cache."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.cache import patch_cache_control

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# C0 control characters and DEL. No URL of the service has one, and PostgreSQL refuses NUL in any text value, so a
# path segment carrying one would reach a query and fail there.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Addresses or CIDR networks (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`); ValueError names the first bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return parse_networks(values)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def forwarded_client(*, remote_addr: str, forwarded_for: str, trusted_proxies: Iterable[str]) -> str:
    """The client's address: the peer itself, unless the peer is one of our proxies.

    X-Forwarded-For is read only when the connection comes from a trusted proxy. Each proxy appends the address it
    saw, so the list is read from the right: the first entry that is not itself a trusted proxy is the client.
    Anything to its left was written by the client and proves nothing. An entry that is not an address stops the
    walk, and the last proxy we trust is named instead.
    """
    networks = _networks(tuple(trusted_proxies))
    if not networks or not _is_trusted(_address(remote_addr), networks):
        return remote_addr
    client = remote_addr
    for entry in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = _address(entry)
        if address is None:
            break
        client = str(address)
        if not _is_trusted(address, networks):
            break
    return client


class RejectControlCharactersMiddleware:
    """A path with a control character in it (NUL above all) is a 404: no page has one, and none reaches a view.

    Sits early, before static files and sessions, so such a path touches nothing else. The answer is plain text
    with headers as strict as any page's, since the middleware that adds those to pages is not reached.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _CONTROL_CHARACTERS.search(request.path) or _CONTROL_CHARACTERS.search(request.path_info):
            response = HttpResponseNotFound("Page not found.\n", content_type="text/plain; charset=utf-8")
            response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
            response["X-Frame-Options"] = "DENY"
            return response
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person and on every download.

    Pages behind sign-in and exports hold personal and site data: neither a shared cache nor the browser's back
    button on a shared NHS computer should keep them. A response that already says no-store is left as it is; the
    sign-in page and static files (served before this middleware) keep their caching.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", "").lower():
            return response
        user = getattr(request, "user", None)
        attachment = response.get("Content-Disposition", "").lower().startswith("attachment")
        if attachment or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
