"""A small HTTP client for the benchmark: keep-alive connections to 127.0.0.1 only, cookies, form fields, timings.

The standard library only (http.client), so the benchmark needs nothing beyond the app's own dependencies.
"""

from __future__ import annotations

import datetime
import http.client
import math
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"


class Session:
    """One signed-in person: a keep-alive connection to the bench server and the cookies it set."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None, timeout: float = 30) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, float]:
        """Send one request; returns the status, the body and the seconds it took (connecting included)."""
        body = urlencode(form, doseq=True).encode() if form is not None else None
        headers = {"Host": f"{HOST}:{self.port}", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, content, elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


class _Forms(HTMLParser):
    """The fields of every form on a page, with the values a browser would submit unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({})
        if not self.forms:
            return
        fields = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
                return
            fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self.forms:
            self.forms[-1][self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None


def form_with(html: str | bytes, field_name: str) -> dict[str, str] | None:
    """The fields of the first form on the page that has a field of this name."""
    parser = _Forms()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return next((form for form in parser.forms if field_name in form), None)


def form_where(html: str | bytes, field_name: str, value: str) -> dict[str, str] | None:
    """The fields of the first form on the page whose field of this name has this value."""
    parser = _Forms()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return next((form for form in parser.forms if form.get(field_name) == value), None)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share between 0 and 1)."""
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(share * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Latency:
    timings: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    def add(self, status: int, seconds: float, ok: bool) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if ok:
            self.timings.append(seconds)
        else:
            self.errors += 1

    def merged(self, other: Latency) -> Latency:
        statuses = dict(self.statuses)
        for status, count in other.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
        return Latency(self.timings + other.timings, statuses, self.errors + other.errors)

    @property
    def p50_ms(self) -> float | None:
        return round(percentile(self.timings, 0.5) * 1000, 1) if self.timings else None

    @property
    def p95_ms(self) -> float | None:
        return round(percentile(self.timings, 0.95) * 1000, 1) if self.timings else None


def latency(session: Session, path: str, *, requests: int, ok_statuses=(200,), deadline_s: float = 120) -> Latency:
    """One client, one request after another; a few unmeasured first to warm the workers."""
    for _ in range(10):
        session.request("GET", path)
    result = Latency()
    deadline = time.monotonic() + deadline_s
    while len(result.timings) + result.errors < requests and time.monotonic() < deadline:
        status, _body, seconds = session.request("GET", path)
        result.add(status, seconds, status in ok_statuses)
    return result


@dataclass
class Throughput:
    completed: int
    errors: int
    seconds: float

    @property
    def rps(self) -> float | None:
        return round(self.completed / self.seconds, 1) if self.completed and self.seconds else None


def throughput(sessions: list[Session], path: str, *, requests: int, deadline_s: float = 60) -> Throughput:
    """Concurrent clients (one thread and one session each) sharing a fixed number of requests."""
    lock = threading.Lock()
    counts = {"issued": 0, "completed": 0, "errors": 0}
    deadline = time.monotonic() + deadline_s

    def work(session: Session) -> None:
        while time.monotonic() < deadline:
            with lock:
                if counts["issued"] >= requests:
                    return
                counts["issued"] += 1
            try:
                status, _body, _seconds = session.request("GET", path)
            except OSError:
                status = 0
            with lock:
                counts["completed" if status == 200 else "errors"] += 1

    for session in sessions:
        session.request("GET", path)
    threads = [threading.Thread(target=work, args=(s,), daemon=True) for s in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(deadline_s + 30)
    return Throughput(counts["completed"], counts["errors"], time.perf_counter() - started)


def save_values(step: int) -> dict[str, str]:
    """Alternating answers (status, narrative, due date), so that every save changes something; the owner stays."""
    due = datetime.date.today() + datetime.timedelta(days=30 + step % 7)  # noqa: DTZ011 - any date will do
    if step % 2:
        return {
            "status": "in_place",
            "narrative": f"Agreed at the partnership forum; the signed agreement is attached (save {step}).",
            "due_date": "",
            "not_applicable_reason": "",
        }
    return {
        "status": "in_progress",
        "narrative": f"A draft goes to the partnership forum next month (save {step}).",
        "due_date": due.isoformat(),
        "not_applicable_reason": "",
    }


def with_answers(form: dict[str, str], answers: dict[str, str]) -> dict[str, str]:
    """The form's own fields with the answers put in; a date split into day, month and year (GOV.UK) is split."""
    data = {**form, **answers}
    if "due_date_0" in form:
        day, month, year = ("", "", "")
        if data.get("due_date"):
            year, month, day = data["due_date"].split("-")
        data.update(due_date_0=day.lstrip("0"), due_date_1=month.lstrip("0"), due_date_2=year)
        data.pop("due_date", None)
    return data
