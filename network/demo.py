"""The demo world, built by `manage.py seed_demo` and nowhere else.

Each app adds its part with `register(order, step)` from its AppConfig.ready, so the network
app runs every step without importing upward. Every step must be idempotent: running
seed_demo twice leaves the same world as running it once.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from network.models import Agency, Centre, Contact, Membership, Role, User
from network.services import create_staff, set_membership
from network.twofactor import give_demo_authenticator


@dataclass(frozen=True)
class DemoContext:
    password: str
    year: int
    log: Callable[[str], None]
    # `seed_demo --small`: every kind of row, a tenth of the controls (see `count`).
    small: bool = False

    def count(self, full: int) -> int:
        """How many of something the demo makes: `full`, or a tenth of it (at least one)
        in a small world, for tests that need the demo's variety but not its volume (a
        backup round trip, tests/faults/test_backup_restore.py)."""
        return max(1, full // 10) if self.small else full


_STEPS: list[tuple[int, str, Callable[[DemoContext], None]]] = []

DEMO_ROLES = [Role.STAFF, Role.COORDINATOR, Role.ANALYST, Role.AUDITOR]
# Coordinators sit at a regional centre; others are placed at the agency's head office.
COORDINATOR_CENTRES = {
    "av": "stockholm",
    "polis": "stockholm",
    "skv": "goteborg",
    "migr": "norrkoping",
    "jamy": "stockholm",
    "af": "malmo",
    "fk": "umea",
    "ebm": "uppsala",
    "aklag": "orebro",
}
CONTACTS = {
    "af": ("Kontaktperson arbetslivskriminalitet", "Enheten för kontroll och utredning"),
    "av": ("Nationell samordnare arbetslivskriminalitet", "Avdelningen för inspektion"),
    "ebm": ("Kontaktperson myndighetssamverkan", "Underrättelseenheten"),
    "fk": ("Kontaktperson felaktiga utbetalningar", "Kontrollverksamheten"),
    "jamy": ("Enhetschef", "Enheten för prostitution och människohandel (NSPM)"),
    "migr": ("Kontaktperson arbetstillstånd", "Enheten för arbetstillståndskontroll"),
    "polis": ("Samordnare gränspolis", "Nationella operativa avdelningen"),
    "skv": ("Kontaktperson personalliggare", "Kontrollavdelningen"),
    "aklag": ("Kammaråklagare", "Riksenheten mot internationell och organiserad brottslighet"),
}


def register(order: int, name: str, step: Callable[[DemoContext], None]) -> None:
    if all(existing != name for _order, existing, _step in _STEPS):
        _STEPS.append((order, name, step))


def build(context: DemoContext, only: list[str] | None = None) -> None:
    for _order, name, step in sorted(_STEPS, key=lambda s: (s[0], s[1])):
        if only is not None and name not in only:
            continue
        with transaction.atomic():
            step(context)
        context.log(f"demo: {name} ready")


def demo_users() -> list[tuple[str, str]]:
    """(username, role) for every demo login, in the order they are printed."""
    return [
        (f"{agency.code}.{role.value}", role.value)
        for agency in Agency.objects.filter(is_network_member=True).order_by("code")
        for role in DEMO_ROLES
    ] + [("av.admin", Role.ADMIN.value)]


def demo_password_hash(password: str) -> str:
    """One hash for every demo account, with a fixed salt, so seeding 37 users costs one
    password hash instead of 37 (Django's PBKDF2 takes 0.3 s each) and a re-run can compare
    strings instead of verifying. Demo accounts only; real accounts get their own salt."""
    return _demo_password_hash(password, tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _demo_password_hash(password: str, hashers: tuple[str, ...]) -> str:
    # Remembered per PASSWORD_HASHERS, not per password alone: a hash made under other
    # hashers may be one the current ones cannot check, and every demo login would fail (in
    # one test process, after a fixture that seeded outside the tests' fast hasher).
    return make_password(password, salt="akrimdemo")


# Demo people have names, so pages greet and list them as people, not as usernames.
FIRST_NAMES = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Ali", "Elin", "Omar"]
LAST_NAMES = ["Lind", "Berg", "Holm", "Nyström", "Sandberg", "Ek", "Karlsson", "Hassan", "Åberg"]


def demo_name(username: str) -> tuple[str, str]:
    """A stable first and last name for a demo username (the same on every run)."""
    number = sum(ord(char) * (index + 1) for index, char in enumerate(username))
    return FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number // 7 % len(LAST_NAMES)]


def _ensure_user(
    username: str, agency: Agency, roles: list[str], password: str, centre_code: str | None
) -> None:
    user = User.objects.filter(username=username).first()
    hashed = demo_password_hash(password)
    if user is None:
        user = create_staff(
            username=username,
            agency_code=agency.code,
            roles=roles,
            password=None,
            email=f"{username}@demo.akrim.invalid",
            centre_code=centre_code,
            actor=None,
        )
    if user.password != hashed:
        User.objects.filter(pk=user.pk).update(password=hashed)
    first, last = demo_name(username)
    if (user.first_name, user.last_name) != (first, last):
        User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
        user.first_name, user.last_name = first, last
    if settings.AKRIM_DEMO_OTP:
        # Two-factor login with the published demo key (README; `manage.py demo_otp`).
        give_demo_authenticator(user)
    membership = Membership.objects.filter(user=user).first()
    if membership is None or membership.agency_id != agency.pk or membership.roles != sorted(roles):
        centre = Centre.objects.filter(code=centre_code).first() if centre_code else None
        set_membership(user, agency=agency, roles=roles, centre=centre, actor=None)


def seed_people(context: DemoContext) -> None:
    for agency in Agency.objects.filter(is_network_member=True):
        for role in DEMO_ROLES:
            centre = COORDINATOR_CENTRES.get(agency.code) if role == Role.COORDINATOR else None
            _ensure_user(
                f"{agency.code}.{role.value}", agency, [role.value], context.password, centre
            )
        title, unit = CONTACTS.get(agency.code, ("Kontaktperson", ""))
        Contact.objects.update_or_create(
            agency=agency,
            order=1,
            defaults={
                "name": f"{title}, {agency.name_sv}",
                "title": title,
                "unit": unit,
                "phone": "010-000 00 00",
                "email": f"akrim@{agency.code}.demo.akrim.invalid",
            },
        )
    _ensure_user(
        "av.admin", Agency.objects.get(code="av"), [Role.ADMIN.value], context.password, None
    )


register(10, "people", seed_people)
