import pytest
from django.core.management import CommandError, call_command

from cases.coordination.models import Case, CaseGroupObjectPermission
from cases.employers.models import Employer
from network.models import AuditEvent, Contact, Membership, User

pytestmark = pytest.mark.django_db


def test_create_staff_creates_a_member_who_can_log_in(client):
    call_command(
        "create_staff",
        "ebm.investigator",
        "--agency",
        "ebm",
        "--role",
        "staff",
        "--role",
        "analyst",
        "--password",
        "a-long-enough-password",
    )
    user = User.objects.get(username="ebm.investigator")
    assert user.membership.agency.code == "ebm"
    assert user.membership.roles == ["analyst", "staff"]
    assert client.login(username="ebm.investigator", password="a-long-enough-password")
    assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agency", "nope", "--role", "staff"], "^agency: Okänd myndighet: nope"),
        (["--agency", "skv", "--role", "wizard"], "^roles: Okänd roll: wizard"),
        (["--agency", "skv", "--role", "staff", "--centre", "atlantis"], "^centre: Okänt"),
    ],
)
def test_create_staff_refuses_bad_input_with_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_staff", "someone", *args)
    assert not User.objects.filter(username="someone").exists()


def test_create_staff_refuses_a_taken_username(skv_staff):
    with pytest.raises(CommandError, match="^username: .*upptaget"):
        call_command("create_staff", "skv.staff", "--agency", "skv", "--role", "staff")


def test_seed_demo_is_idempotent_and_logs_in_every_demo_user(client):
    call_command("seed_demo", "--password", "demo-password-123", "--quiet")

    def counts():
        return tuple(
            model.objects.count() for model in (User, Membership, Contact, Case, Employer)
        ) + (CaseGroupObjectPermission.all_grants.filter(owner=False).count(),)

    first = counts()
    call_command("seed_demo", "--password", "demo-password-123", "--quiet")
    assert counts() == first
    # cases, employers (10 + 7 of the risk demo + 18 controlled without findings), share
    # rows (edit shares have two)
    assert first[3:] == (12, 35, 10)
    assert Case.objects.exclude(status="open").exists()
    assert first[0] == 9 * 4 + 1
    assert User.objects.get(username="av.analyst").membership.roles == ["analyst"]
    assert User.objects.get(username="av.coordinator").membership.centre.code == "stockholm"
    assert client.login(username="skv.staff", password="demo-password-123")
    _the_demo_is_dated_relative_to_today()


def _the_demo_is_dated_relative_to_today():
    """A newcomer meets follow-ups done, overdue and due this week, and no operation of
    the past still planned (the seeded world above, checked here to seed it only once)."""
    from datetime import timedelta

    from django.utils import timezone

    from inspections.models import ControlOperation, FollowUp

    today = timezone.localdate()
    open_ = FollowUp.objects.filter(status="open")
    assert open_.filter(due_date__lt=today).exists()
    assert open_.filter(due_date__gte=today, due_date__lt=today + timedelta(days=7)).exists()
    assert FollowUp.objects.filter(status="done").exists()
    assert not open_.filter(due_date__lt=today - timedelta(days=400)).exists()
    past = ControlOperation.objects.filter(period_end__lt=today)
    assert past.exists()
    assert not past.filter(status__in=["draft", "planned"]).exists()
    assert past.filter(status="closed").exists()
    assert past.filter(status="follow_up").exists()
    assert ControlOperation.objects.filter(status="in_progress").exists()
    assert ControlOperation.objects.filter(status="planned", period_start__gt=today).exists()


def test_demo_logins_work_after_a_seed_under_other_password_hashers(client, settings):
    """The demo's shared password hash is remembered per set of hashers. Remembered per
    password alone, a hash made under Django's default hashers (by a module-scoped fixture,
    outside the tests' fast hasher) was given to the demo users of every later seed in the
    process, and none of them could log in under the fast hasher: the browser journeys'
    login failures after the in-process tests (docs/testing.md)."""
    from network.demo import demo_password_hash

    password = "another-demo-password"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert demo_password_hash(password).startswith("pbkdf2_sha256$")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--password", password, "--quiet", "--people-only")
    assert client.login(username="av.analyst", password=password)
