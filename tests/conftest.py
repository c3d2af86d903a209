"""Shared fixtures: the real framework, named personas, fast settings, and the real parts (worker, browser)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from checklists.models import Assessment
from checklists.services.assessments import assessment_create
from checklists.services.frameworks import DEFAULT_FRAMEWORK_FILE, framework_load
from phb_readiness.memos import memos_clear
from phb_readiness.sites.models import Membership, PilotSite, ReviewerScope
from tests.factories import (
    MembershipFactory,
    PilotSiteFactory,
    RegionFactory,
    ReviewerScopeFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PHB_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """CI also runs the suite with DJANGO_DEBUG=0, over plain HTTP: no redirect to HTTPS and no HSTS, set before the
    live server builds its middleware (tests/test_headers.py checks both in a production-configured process)."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """MD5 hashing for speed, in-memory mail, eager tasks that raise, private files in a temp dir, no MFA gate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    # Two-step verification is switched on by the tests that are about it (tests/test_mfa*.py, the permission matrix).
    settings.PHB_MFA_ENFORCED = False
    # Without a broker, report renders run inside the request that asks for them (the embedded run's thread for them
    # is tests/test_report_request_returns_at_once.py's subject).
    settings.PHB_BACKGROUND_TASKS = False
    # Each test starts with nothing remembered from another test's (rolled back) data, nor counted (rate limits).
    memos_clear()
    cache.clear()


@pytest.fixture
def framework(db):
    return framework_load(path=DEFAULT_FRAMEWORK_FILE).framework


@dataclass
class World:
    """Two sites in two regions and the personas of the permission tests (healthchecks' Alice, Bob, Charlie)."""

    site_a: PilotSite
    site_b: PilotSite
    assessment_a: Assessment
    assessment_b: Assessment
    manager_a: object
    contributor_a: object
    rep_a: object
    manager_b: object
    reviewer: object
    regional_reviewer_other: object
    admin: object
    outsider: object
    observer: object = None  # a staff-side observer of site A's region
    observer_other: object = None  # a staff-side observer of another region


@pytest.fixture
def world(framework) -> World:
    north = RegionFactory(code="NW", name="North West")
    london = RegionFactory(code="LDN", name="London")
    site_a = PilotSiteFactory(code="SITE-A", name="Site A Primary Care Trust", region=north)
    site_b = PilotSiteFactory(code="SITE-B", name="Site B Primary Care Trust", region=north)
    manager_a = MembershipFactory(site=site_a, role=Membership.Role.MANAGER, user__username="manager-a").user
    contributor_a = MembershipFactory(site=site_a, role=Membership.Role.CONTRIBUTOR, user__username="contrib-a").user
    rep_a = MembershipFactory(site=site_a, role=Membership.Role.UNION_REP, user__username="rep-a").user
    manager_b = MembershipFactory(site=site_b, role=Membership.Role.MANAGER, user__username="manager-b").user
    reviewer = ReviewerScopeFactory(user__username="reviewer").user
    regional_other = ReviewerScopeFactory(user__username="reviewer-london", region=london).user
    observer = ReviewerScopeFactory(user__username="observer-nw", region=north, role=ReviewerScope.Role.OBSERVER).user
    observer_other = ReviewerScopeFactory(
        user__username="observer-london", region=london, role=ReviewerScope.Role.OBSERVER
    ).user
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    outsider = UserFactory(username="outsider")
    round_label = "Readiness review, 2009/10 Q4"
    return World(
        site_a=site_a,
        site_b=site_b,
        assessment_a=assessment_create(site=site_a, framework=framework, round_label=round_label, user=manager_a),
        assessment_b=assessment_create(site=site_b, framework=framework, round_label=round_label, user=manager_b),
        manager_a=manager_a,
        contributor_a=contributor_a,
        rep_a=rep_a,
        manager_b=manager_b,
        reviewer=reviewer,
        regional_reviewer_other=regional_other,
        admin=admin,
        outsider=outsider,
        observer=observer,
        observer_other=observer_other,
    )


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (browsers cannot be downloaded here)."""
    if not chromium_available():
        pytest.skip(f"no Chromium at {CHROMIUM}: browser journeys need Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir():
    """Screenshots written by the run for people to look at (ignored by git)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests unless a test asks for the real worker."""
    from phb_readiness.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker process over the configured broker, sharing the test database and file store.

    Needs CELERY_BROKER_URL and PostgreSQL (an in-memory SQLite test database cannot be shared); CI runs both.
    """
    import subprocess
    import sys
    import time
    import uuid

    from django.db import connection

    from phb_readiness.celery import app

    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        pytest.skip("no CELERY_BROKER_URL: the real-worker tests run in CI against Redis")
    if connection.vendor != "postgresql":
        pytest.skip("the real-worker tests need PostgreSQL to share the test database with the worker")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or ''}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    queue = f"phb-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "test-worker-secret-key-" + "x" * 40),
        "PHB_PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    log_path = settings.PRIVATE_STORAGE_ROOT.parent / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "phb_readiness",
            "worker",
            "-Q",
            queue,
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@%h",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Celery worker did not start:\n{log_path.read_text()}")
        time.sleep(0.2)

    class Worker:
        pid = process.pid
        proc = process
        log_file = log_path

        @staticmethod
        def log() -> str:
            return log_path.read_text()

    yield Worker
    app.conf.task_always_eager = True
    app.conf.task_default_queue = "celery"
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def broker():
    """A redis-server of the test's own on a free port, with the Celery app pointed at it (tests.outbox_support)."""
    from tests.outbox_support import Broker, celery_over, free_port

    broker = Broker(free_port())
    broker.start()
    with celery_over(broker.url):
        yield broker
    broker.stop()
