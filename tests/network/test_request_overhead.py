"""What every request costs before the view: the queries of the middleware and
authentication stack, each read once (docs/performance.md, "Per-request overhead")."""

import re
import select
from datetime import timedelta
from unittest import mock

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from network import twofactor
from network.backends import MembershipModelBackend, checking_device
from network.models import Membership, User
from tests.conftest import need, redis_reachable

pytestmark = pytest.mark.django_db


def queries(client, path):
    client.get(path)  # warm: the first request may write the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:200]
    return [q["sql"] for q in captured.captured_queries]


def test_a_signed_in_api_request_reads_only_the_user_with_membership_and_second_factor(
    client, persona, settings
):
    """With Redis the session comes from the cache (network/sessions.py) and the second
    factor's device is checked in the user's query (network.twofactor.OTPMiddleware)."""
    need(redis_reachable(), "the session cache needs Redis: set REDIS_URL")
    assert settings.SESSION_ENGINE == "network.sessions"
    coordinator = persona("av", "coordinator")  # needs and has passed a second factor
    client.force_login(coordinator)
    sql = queries(client, "/api/v1/me/")
    assert len(sql) == 1, sql  # the user with membership, agency and the device's EXISTS
    assert "network_membership" in sql[0]
    assert "otp_totp_totpdevice" in sql[0]
    assert client.get("/api/v1/me/").json()["username"] == coordinator.username


def test_without_the_session_cache_the_session_is_one_query_more(client, persona, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"  # no REDIS_URL
    coordinator = persona("av", "coordinator")
    client.force_login(coordinator)
    sql = queries(client, "/api/v1/me/")
    assert len(sql) == 2, sql  # the session; the user with membership and the device
    assert "django_session" in sql[0]
    assert "otp_totp_totpdevice" in sql[1]
    assert not any(s.startswith("UPDATE") for s in sql)  # the session is not rewritten


@pytest.mark.parametrize("kind", ["authenticator", "recovery code"])
def test_a_deleted_or_unconfirmed_device_stops_counting_at_the_next_request(client, persona, kind):
    coordinator = persona("av", "coordinator")
    client.force_login(coordinator)
    if kind == "recovery code":  # the session passed with a recovery code instead
        session = client.session
        recovery = StaticDevice.objects.create(user=coordinator, name="recovery", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = recovery.persistent_id
        session.save()
        device = recovery
    else:
        device = twofactor.totp_device(coordinator)
    assert client.get("/api/v1/me/").status_code == 200
    if kind == "recovery code":
        StaticDevice.objects.filter(pk=device.pk).delete()
    else:
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert DEVICE_ID_SESSION_KEY not in client.session  # forgotten, as django-otp does


def test_another_users_device_does_not_count(client, persona):
    coordinator = persona("av", "coordinator")
    other = persona("skv", "coordinator")
    client.force_login(coordinator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = twofactor.totp_device(other).persistent_id
    session.save()
    assert client.get("/api/v1/me/").status_code == 403


def test_a_kept_alive_connection_is_checked_without_a_round_trip():
    """Django's health check sends `SELECT 1` before each request's first query; akrim's
    backend (config/db/postgresql) polls the socket instead and sends it only when the
    server has written something (it closed the connection)."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's health check")
    own = connections.create_connection("default")  # outside the test's transaction
    try:
        own.health_check_enabled = True
        own.ensure_connection()
        sent = []
        real = own.is_usable

        def counted():
            sent.append(1)
            return real()

        with mock.patch.object(own, "is_usable", side_effect=counted):
            own.health_check_done = False
            own.close_if_health_check_failed()
            assert sent == []  # nothing to read: healthy, no SELECT 1
            assert own.health_check_done
            assert own.connection is not None
            # The server ends the connection (as a restart does): the socket turns readable.
            pid = own.connection.execute("SELECT pg_backend_pid()").fetchone()[0]
            with psycopg.connect(own.connection.info.dsn) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            select.select([own.connection.fileno()], [], [], 10)  # its goodbye arrives
            own.health_check_done = False
            own.close_if_health_check_failed()
            assert sent == [1]  # Django's SELECT 1 decided
        assert own.connection is None  # closed; the next query opens a new one
        own.ensure_connection()
        assert own.connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        own.close()


def test_capabilities_are_read_in_one_query(client, skv_staff):
    client.force_login(skv_staff)
    sql = queries(client, "/api/v1/cases/")
    capabilities = [s for s in sql if s.startswith('SELECT "django_content_type"."app_label"')]
    assert len(capabilities) == 1, sql


def test_anonymous_requests_make_no_query():
    anonymous = Client()
    with CaptureQueriesContext(connection) as captured:
        assert anonymous.get("/api/v1/me/").status_code in {401, 403}
        assert anonymous.get("/login/").status_code == 200
    assert captured.captured_queries == []


def test_a_changed_membership_counts_from_the_next_request(client, skv_staff):
    client.force_login(skv_staff)
    assert client.get("/api/v1/me/").json()["agency"] == "skv"
    Membership.objects.filter(user=skv_staff).update(active=False)
    assert client.get("/api/v1/me/").json()["agency"] is None


def test_the_idle_session_is_pushed_forward_at_most_once_a_minute(client, skv_staff, settings):
    client.force_login(skv_staff)
    client.get("/api/v1/me/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    client.get("/api/v1/me/")
    assert Session.objects.get(session_key=key).expire_date == first  # within the minute
    settings.SESSION_TOUCH_SECONDS = 0
    client.get("/api/v1/me/")
    pushed = Session.objects.get(session_key=key).expire_date
    assert pushed > first
    assert pushed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


@pytest.mark.parametrize("with_device", [False, True])
def test_the_compiled_user_statement_loads_what_the_orm_loads(persona, with_device):
    """network.backends compiles the user's statement once and builds the models from its
    rows itself: the same user, membership, agency and centre as the ORM's select_related."""
    coordinator = persona("av", "coordinator", centre="stockholm")
    device = twofactor.totp_device(coordinator)
    backend = MembershipModelBackend()
    if with_device:
        with checking_device(device.persistent_id):
            user = backend.get_user(coordinator.pk)
        assert user.otp_session_device == (device.persistent_id, True)
    else:
        user = backend.get_user(coordinator.pk)
    expected = (
        User.objects.select_related("membership__agency", "membership__centre")
        .filter(pk=coordinator.pk)
        .get()
    )

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    assert fields(user) == fields(expected)
    with CaptureQueriesContext(connection) as captured:
        assert fields(user.membership) == fields(expected.membership)
        assert fields(user.membership.agency) == fields(expected.membership.agency)
        assert user.membership.centre is not None
        assert fields(user.membership.centre) == fields(expected.membership.centre)
        assert user.active_membership == expected.membership
    assert captured.captured_queries == []  # all of it came with the user
    assert user._state.adding is False
    assert backend.get_user(-1) is None


def test_the_compiled_capabilities_are_djangos_own(persona):
    """network.backends compiles the capabilities' statement once: for each user it answers
    what Django's ModelBackend answers (their own permissions and their groups')."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    coordinator = persona("av", "coordinator")
    staff = persona("skv", "staff", "auditor")
    staff.user_permissions.add(Permission.objects.get(codename="break_glass_case"))
    for user in (coordinator, staff):
        fresh = User.objects.get(pk=user.pk)
        ours = MembershipModelBackend().get_all_permissions(fresh)
        assert ours == ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
        assert ours  # roles give capabilities: the comparison is not of two empty sets
    assert "cases.break_glass_case" in MembershipModelBackend().get_all_permissions(
        User.objects.get(pk=staff.pk)
    )


def test_no_page_pattern_can_answer_an_api_path():
    """config/urls.py tries the API's patterns first; that changes no answer only while no
    other pattern could match a path under api/v1/ (a page's route starts with its own
    literal prefix, never with a converter)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    literal_end = re.compile(r"[<(\[?.*+\\$]")
    checked = 0

    def walk(patterns, prefix):
        nonlocal checked
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if route.startswith("api/"):
                continue  # the API's own
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                literal = literal_end.split(route, maxsplit=1)[0]
                assert literal or route.rstrip("$") == "", route
                assert not "api/v1/".startswith(literal) or route.rstrip("$") == "", route
                checked += 1

    walk(get_resolver().url_patterns, "")
    assert checked > 50


def test_api_calls_resolve_before_the_pages():
    from django.urls import get_resolver

    first = get_resolver().url_patterns[0]
    assert str(first.pattern) == "api/v1/"


@pytest.mark.parametrize("with_centre", [False, True])
def test_me_answers_what_its_serializer_describes(client, persona, with_centre):
    """`/api/v1/me/` builds its answer without MeSerializer (network/api/views.py); the
    answer is the serializer's, key by key and type by type."""
    from network.api.serializers import MeSerializer
    from network.models import Centre

    user = persona("polis", "staff", "analyst")
    membership = user.membership
    if with_centre:
        membership.centre = Centre.objects.order_by("pk").first()
        assert membership.centre is not None
        membership.save(update_fields=["centre"])
    client.force_login(user)
    answer = client.get("/api/v1/me/").json()
    expected = MeSerializer(
        {
            "username": user.username,
            "agency": "polis",
            "roles": membership.roles,
            "centre": membership.centre.code if with_centre else None,
        }
    ).data
    assert answer == dict(expected)
    assert (answer["centre"] is None) is not with_centre
