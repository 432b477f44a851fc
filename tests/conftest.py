"""Shared test set-up: service requirements, personas, API clients.

Tests that need a real service are marked (`postgres`, `worker`, `e2e`). Without the service
they skip and say why, except under CI=true, where a missing service is a failure: CI must
never pass by skipping what it was meant to check.
"""

import importlib
import os
import shutil
import socket
import time
from datetime import date
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import translation
from django_otp import login as otp_login
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from cases.referrals import services as referral_services
from inspections.services import decisions, lifecycle, planning, results
from network import twofactor
from network.models import Agency
from network.services import create_staff

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# in that thread are safe here (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("AKRIM_CHROMIUM", "/usr/bin/chromium")


def need(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a required service is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    url = urlparse(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


# The SQLite pass of .ci/run runs only what can differ on SQLite (docs/testing.md): the
# modules below exercise the `connection.vendor` branches (the audit triggers, the ranking
# facts and the risk statement, the report build's snapshot), seed_demo and `make run`'s
# path; the rest is a smoke slice of the API and the pages. Every test in them, and every
# test marked `sqlite`, gets the `sqlite_slice` mark.
SQLITE_SLICE = (
    "tests/network/test_audit.py",  # append-only triggers (SQLite's own in its migration)
    "tests/network/test_commands.py",  # seed_demo, create_staff: make run's path
    "tests/network/test_api.py",  # smoke: token, /me, agencies
    "tests/inspections/test_ranking_facts.py",  # inspections/facts.py vendor branches
    # guardian's derived rows: SQL views read alike on both (inspections migrations 0011 and
    # 0012, cases 0014, reports 0005)
    "tests/network/test_policy_differential.py::test_guardian_agrees_on_the_fixed_joint_world",
    "tests/network/test_policy_differential.py::test_guardian_agrees_on_the_fixed_rest_world",
    "tests/inspections/test_risk.py",  # inspections/risk.py vendor branches
    "tests/reports/test_builds.py",  # reports/services.py snapshot branch
    "tests/reports/test_figures.py",
    "tests/test_settings.py",
    "tests/test_translations.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(SQLITE_SLICE) or item.get_closest_marker("sqlite"):
            item.add_marker(pytest.mark.sqlite_slice)
    # pytest-django orders the tests that use no test database last, and among them are the
    # longest of the run: the fault tests that start a PostgreSQL of their own (backup and
    # restore, the database outage). Last, an xdist worker still busy with one of them leaves
    # the other idle once the queue is empty; first, the short tests fill in around them
    # (docs/testing.md, "Where the CI run's time goes"). They touch no test database, so the
    # order pytest-django keeps for the others (one-transaction tests before committing ones)
    # is unchanged.
    #
    # Next come the tests that ask guardian about its derived rows (SQL views over the joint
    # controls', tips', reviews', employers' and reports' tables; docs/access.md). The test
    # cluster runs without autovacuum, so every rolled-back test leaves dead rows behind; late
    # in the run the views' scans read megabytes of them and one guardian call took seconds
    # (the differential ran past pytest's timeout). Early, the tables are as fresh as the
    # tests' own worlds; these tests are one-transaction tests, so pytest-django's order holds.
    items.sort(key=lambda item: (not _own_servers_only(item), not _reads_derived_rows(item)))


def _reads_derived_rows(item) -> bool:
    """A test of guardian's answers on the derived rows (tests/network/test_policy_differential.py)."""
    return item.nodeid.startswith("tests/network/test_policy_differential.py")


def _own_servers_only(item) -> bool:
    """A fault test that runs on servers of its own and never on the test database."""
    uses_db = item.get_closest_marker("django_db") or any(
        name in item.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    return bool(item.get_closest_marker("faults")) and not uses_db


@pytest.fixture(autouse=True)
def _requirements(request):
    node = request.node
    if node.get_closest_marker("postgres") or node.get_closest_marker("worker"):
        need(
            settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
            "this test needs PostgreSQL: set DATABASE_URL=postgres://...",
        )
    if node.get_closest_marker("worker"):
        need(redis_reachable(), "this test needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    if node.get_closest_marker("e2e"):
        need(
            os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
            f"this test needs Debian's chromium at {CHROMIUM} (apt-get install chromium)",
        )
    if node.get_closest_marker("sqlite") and connection.vendor != "sqlite":
        pytest.skip("SQLite-specific; the SQLite pass of .ci/run covers it")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request leaves the language its LocaleMiddleware chose active in the thread (the
    next request chooses again, so a server never notices). In one test process the next
    *test* would inherit it, and a Swedish message compared in it would come out in
    English: every test starts from the default language (docs/testing.md)."""
    yield
    translation.deactivate()


@pytest.fixture
def session_not_touched(settings):
    """For a test that counts a request's queries against an earlier request's: the session
    is written again once its last write is older than SESSION_TOUCH_SECONDS
    (network/middleware.py, IdleSessionMiddleware), which a loaded machine can pass while
    the test builds rows between the two, and the write is one query more that has nothing
    to do with the rows."""
    settings.SESSION_TOUCH_SECONDS = 24 * 60 * 60


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Django 6.1's PBKDF2 costs 0.3 s per check; security of test passwords is irrelevant.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings, request):
    """Rate-limit counters live in the shared cache (Redis in CI): give each test its own,
    so one test's logins never count against another's."""
    settings.AKRIM_RATELIMIT_PREFIX = f"test:{os.getpid()}:{request.node.nodeid}:"


@pytest.fixture(scope="session", autouse=True)
def _celery_in_process():
    """Tasks sent by code under test run in-process; only the worker test uses Redis."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


_triggers = importlib.import_module("network.migrations.0002_auditevent_append_only")
_no_truncate = importlib.import_module("network.migrations.0006_auditevent_no_truncate")


def _flush_may_empty_the_audit_trail():
    """PostgreSQL refuses TRUNCATE on the audit table unless the transaction set the GUC
    of migration 0006. Transactional tests end with a flush (one TRUNCATE of every table):
    only that flush sets it, inside its own transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    if getattr(original, "allows_audit_truncate", False):
        return

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return [_no_truncate.ALLOW_TRUNCATE_SQL, *statements] if statements else statements

    sql_flush.allows_audit_truncate = True
    DatabaseOperations.sql_flush = sql_flush


if connection.vendor == "postgresql":
    _flush_may_empty_the_audit_trail()


@pytest.fixture(autouse=True)
def _sqlite_flush_keeps_working(request):
    """Transactional tests end with a flush, which on SQLite is a DELETE that the audit
    trigger refuses. Drop the triggers just before that flush and put them back before the
    next test. PostgreSQL flushes with TRUNCATE (see _flush_may_empty_the_audit_trail)."""
    uses_db = any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    ) or request.node.get_closest_marker("django_db")
    if not uses_db or connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for statement in _triggers.SQLITE_UP:
            cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    yield
    with connection.cursor() as cursor:
        for statement in _triggers.SQLITE_DOWN:
            cursor.execute(statement)


# --- personas -------------------------------------------------------------------------------

PASSWORD = "correct-horse-battery-staple"


def enrol_authenticator(user):
    """Give `user` a confirmed authenticator app (as if they had enrolled) and return it."""
    device = twofactor.start_enrolment(user)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def otp_code(user) -> str:
    """The code `user`'s authenticator app shows. django-otp accepts each period's code
    once, and the next period's too (tolerance 1); when both are spent, wait for the next
    period as a person would."""
    while True:
        device = twofactor.totp_device(user)
        now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
        ahead = max(0, device.last_t + 1 - now)
        if ahead <= device.tolerance:
            return twofactor.current_code(device, steps_ahead=ahead)
        time.sleep(1)


class Personas:
    """persona("skv", "staff", "auditor"): make a user of `agency` with `roles` once, and
    give back the same user when asked again. Users who must use two-factor login have an
    authenticator app (see `otp_code`). `made` starts from users made before (a world built
    once per module, tests/worlds.py)."""

    def __init__(self, made: dict | None = None):
        self.made = dict(made or {})

    def __call__(
        self, agency: str, *roles: str, username: str | None = None, centre: str | None = None
    ):
        username = username or f"{agency}.{'-'.join(roles)}"
        if username not in self.made:
            user = create_staff(
                username=username,
                agency_code=agency,
                roles=roles,
                password=PASSWORD,
                centre_code=centre,
                actor=None,
            )
            if twofactor.needs_two_factor(user):
                enrol_authenticator(user)
            self.made[username] = user
        return self.made[username]


@pytest.fixture
def persona(db):
    """Make a user of `agency` with `roles`: persona("skv", "staff", "auditor")."""
    return Personas()


class AkrimClient(Client):
    """Django's test client, aware of akrim's login protection.

    `force_login` skips the password as usual and, for a user with an authenticator, also
    the code: it marks the session verified with django_otp.login, as the code page does
    (pass `verified=False` to test the gate). `login` checks the password through
    django-axes, which needs the request (from 127.0.0.1)."""

    def force_login(self, user, backend=None, *, verified=True):
        super().force_login(user, backend)
        device = twofactor.totp_device(user) if verified else None
        if device is not None:
            request = RequestFactory().get("/")
            request.session = self.session
            request.user = user
            otp_login(request, device)
            request.session.save()

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/login/"))
        return super().login(**credentials)


@pytest.fixture
def client():
    return AkrimClient()


@pytest.fixture
def skv_staff(persona):
    return persona("skv", "staff")


@pytest.fixture
def polis_staff(persona):
    return persona("polis", "staff")


@pytest.fixture
def jamy_staff(persona):
    return persona("jamy", "staff")


@pytest.fixture
def av_coordinator(persona):
    return persona("av", "coordinator", centre="stockholm")


@pytest.fixture
def skv_auditor(persona):
    return persona("skv", "auditor")


@pytest.fixture
def av_auditor(persona):
    return persona("av", "auditor")


@pytest.fixture
def skv_admin(persona):
    return persona("skv", "admin")


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it as that user."""
    client = APIClient()

    def as_user(user):
        client.force_authenticate(user=user)
        return client

    client.as_user = as_user
    return client


def ids(response):
    """The sorted ids of an API list's page, after checking it answered 200."""
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


# --- a known year of joint controls (reports, journeys) ---------------------------------


def place(county, municipality, sni, name):
    return {"name": name, "municipality": municipality, "county": county, "sni": sni}


@pytest.fixture
def year_2025(persona):
    """Three performed inspections in 2025, one in 2024, one planned in 2025."""
    coordinator = persona("av", "coordinator")
    skv, polis = persona("skv", "staff"), persona("polis", "staff")
    plans = [
        (place("01", "0180", "41.200", "Bygget A"), date(2025, 3, 4), 5),
        (place("01", "0182", "56.100", "Restaurang B"), date(2025, 3, 20), 7),
        (place("12", "1280", "41.200", "Bygget C"), date(2025, 9, 1), 3),
        (place("14", "1480", "81.210", "Städ D"), date(2024, 5, 5), 4),
    ]
    made = []
    for workplace, when, persons in plans:
        inspection = planning.plan_inspection(
            workplace=workplace, planned_date=when, actor=coordinator
        )
        for code, user in (("skv", skv), ("polis", polis)):
            assignment = planning.assign_agency(
                inspection, agency=Agency.objects.get(code=code), mode="on_site", actor=coordinator
            )
            planning.respond_to_assignment(assignment, accept=True, actor=user)
        lifecycle.perform_inspection(
            inspection, performed_on=when, persons_checked=persons, actor=skv
        )
        made.append(inspection)
    planning.plan_inspection(
        workplace=place("01", "0180", "41.200", "Planerad"),
        planned_date=date(2025, 12, 1),
        actor=coordinator,
    )
    a, b, c, _old = made
    f1 = results.record_finding(a, category="personalliggare_saknas", actor=skv)
    results.record_finding(b, category="personalliggare_saknas", actor=skv)
    results.record_finding(b, category="utan_arbetstillstand", actor=polis)
    decisions.record_decision(f1, type="kontrollavgift", amount_sek=Decimal("12500"), actor=skv)
    f3 = results.record_finding(c, category="olaglig_vistelse", actor=polis)
    decisions.record_decision(f3, type="polisanmalan", actor=polis)
    referral_services.create_referral(
        person={"sex": "male"}, receiving_body="polis", consent={"support": True}, actor=polis
    )
    return made
