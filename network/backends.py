"""Authentication backends: object permissions answered by the policies, and Django's
ModelBackend reading the signed-in user's membership and capabilities in fewer queries.

`PolicyBackend`: `user.has_perm(perm, obj)` answered by the object's policy
(network/policies.py). Django asks every backend in turn and stops at the first True or at a
PermissionDenied. For an object whose model has a policy this backend gives the policy's
answer and stops there (PermissionDenied on "no"), so neither guardian's rows nor a role's
model-wide permission can widen what the policy decides: an expired share, a declined
assignment or an owner agency without a grant row all answer as `decide` does. For other
objects (and for questions without an object) it says nothing and the next backends answer as
before. Why this and not guardian's own checker: docs/access.md, "django-guardian".

`MembershipModelBackend` (docs/performance.md, "Per-request overhead"): each signed-in
request loads the user from the session, then asks for their active membership (agency and
roles: every `visible_to` needs it) and, on most API views, their role capabilities. Django
answers with one query each for the user, the membership, the user's own permissions and
their groups' permissions. Here the user comes with the membership in one query, and the
capabilities come in one, cached on the user object for the rest of the request as Django
caches them. Nothing is cached across requests, so a changed role or a deactivated
membership counts from the next request on.

`GrantBackend`: guardian's own object-permission backend, with its checker reading only the
rows in force. Guardian's checker asks the permission table through the direct-FK model's
relation, not its `objects` manager, so on its own it would count an expired share
(cases/grants.py leaves those out of `objects`, which `get_objects_for_user` reads). It answers
for objects of models without a policy, and for any code that asks guardian directly.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Exists, Model, OuterRef
from django.db.models.query import get_related_populators
from django.http import HttpRequest
from django_otp.models import Device
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from network.models import User
from network.policies import policy_for
from network.statements import Marks

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from network.http import AnyUser


class PolicyBackend:
    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: "AnyUser", perm: str, obj: Model | None = None) -> bool:
        if obj is None:
            return False
        policy = policy_for(obj)
        if policy is None:
            return False
        app_label, _dot, codename = perm.partition(".")
        action = policy.action_of(codename) if app_label == obj._meta.app_label else None
        if action is not None and policy.decide(user_obj, action, obj):
            return True
        raise PermissionDenied


# The second-factor device the session being loaded says it passed (django-otp's persistent
# id), set by network.twofactor.OTPMiddleware while it loads the user.
_session_device: ContextVar[str | None] = ContextVar("akrim_session_device", default=None)


@contextmanager
def checking_device(persistent_id: str) -> Iterator[None]:
    """While the user is loaded inside this block, `get_user` also asks whether the device
    `persistent_id` still exists, is confirmed and is the user's, and records the answer
    as `user.otp_session_device = (persistent_id, yes or no)`."""
    token = _session_device.set(persistent_id)
    try:
        yield
    finally:
        _session_device.reset(token)


# Values no row has, marking in a compiled statement's parameters where the user's and the
# device's primary keys go (`_UserStatement`); within 32 bits, or the ORM would compile a
# device model's AutoField lookup as never true.
_USER_MARK = -2_013_265_921
_DEVICE_MARK = -2_013_265_937


class _UserStatement:
    """The statement that loads a user with membership, agency, centre (and the session
    device's EXISTS), compiled once per process and device model instead of per request.

    Compiling the select_related statement in the ORM costs more than the round trip that
    sends it (about 1.5 ms of Python against 0.2 ms on this machine, docs/performance.md
    "d: per-request overhead"). The rows become models exactly as Django's ModelIterable
    makes them (`from_db`, the related populators, the annotation), from the compiler's own
    description of its columns. `tests/network/test_request_overhead.py` compares the result
    with the ORM's field by field."""

    def __init__(self, using: str, device_model: type[Device] | None) -> None:
        users = User._default_manager.using(using).select_related(
            "membership__agency", "membership__centre"
        )
        users = users.filter(pk=_USER_MARK)
        if device_model is not None:
            device = device_model._default_manager.filter(
                pk=_DEVICE_MARK, user=OuterRef("pk"), confirmed=True
            )
            users = users.annotate(_session_device_ok=Exists(device))
        compiler = users.query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.marks = Marks(
            params,
            {"user": _USER_MARK, "device": _DEVICE_MARK},
            {"user": 1, "device": int(device_model is not None)},
        )
        self.using = using
        self.compiler = compiler
        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        self.user_columns = (fields[0], fields[-1] + 1)
        self.init_list = [f[0].target.attname for f in compiler.select[fields[0] : fields[-1] + 1]]
        self.fetch_mode = users._fetch_mode  # type: ignore[attr-defined]
        self.populators = get_related_populators(
            klass_info, compiler.select, using, self.fetch_mode
        )
        self.annotations = dict(compiler.annotation_col_map or {})
        # The columns' converters depend on the statement alone: found once, not per row
        # set (`results_iter` would look them up for every request).
        self.converters = compiler.get_converters(
            [column[0] for column in compiler.select[: compiler.col_count]]
        )

    def load(self, user_id: int, device_pk: int | None) -> User | None:
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.marks.fill(user=user_id, device=device_pk))
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        for row in rows:
            start, end = self.user_columns
            user = User.from_db(
                self.using, self.init_list, row[start:end], fetch_mode=self.fetch_mode
            )
            for populator in self.populators:
                populator.populate(row, user)
            for name, position in self.annotations.items():
                setattr(user, name, row[position])
            return user
        return None


_statements: dict[tuple[str, str, str], _UserStatement] = {}


def _user_statement(device_model: type[Device] | None) -> _UserStatement:
    using = router.db_for_read(User)
    key = (using, connections[using].vendor, device_model._meta.label if device_model else "")
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = _UserStatement(using, device_model)
    return statement


def _session_device_model(persistent_id: str) -> tuple[type[Device], int] | None:
    """The device model and primary key named by a django-otp persistent id, if any."""
    label, _slash, pk = persistent_id.partition("/")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, Device) or not pk.isdigit():
        return None
    return model, int(pk)


class _CapabilitiesStatement:
    """The user's capabilities (their own permissions and their groups'), as (app label,
    codename) rows: the ORM's statement, compiled once per process instead of per request
    (built and compiled, it cost more Python than the case list's other look-ups,
    docs/performance.md "d: case list")."""

    def __init__(self, using: str) -> None:
        own = User.user_permissions.through.objects.filter(
            user_id=_USER_MARK, permission_id=OuterRef("pk")
        )
        via_group = Group.permissions.through.objects.filter(
            permission_id=OuterRef("pk"), group__user=_USER_MARK
        )
        rows = (
            Permission.objects.using(using)
            .filter(Exists(own) | Exists(via_group))
            .values_list("content_type__app_label", "codename")
        )
        self.sql, params = rows.query.get_compiler(using=using).as_sql()
        self.marks = Marks(params, {"user": _USER_MARK}, {"user": 2})
        self.using = using

    def load(self, user_id: int) -> list[tuple[str, str]]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.marks.fill(user=user_id))
            return [(app, codename) for app, codename in cursor.fetchall()]


_capability_statements: dict[tuple[str, str], _CapabilitiesStatement] = {}


def _capabilities_statement() -> _CapabilitiesStatement:
    using = router.db_for_read(Permission)
    key = (using, connections[using].vendor)
    statement = _capability_statements.get(key)
    if statement is None:
        statement = _capability_statements[key] = _CapabilitiesStatement(using)
    return statement


class MembershipModelBackend(ModelBackend):
    """Django's ModelBackend with what every request asks of the signed-in user read in fewer
    round trips (docs/performance.md, "Per-request overhead").

    Each signed-in request loads the user from the session, then asks for their active
    membership (agency and roles: every `visible_to` needs it) and, on most API views, their
    role capabilities. Django answers with one query each for the user, the membership, the
    user's own permissions and their groups' permissions. Here the user comes with the
    membership in one query, and the capabilities come in one, cached on the user object for
    the rest of the request as Django caches them. Nothing is cached across requests, so a
    changed role or a deactivated membership counts from the next request on.

    The same query answers whether the session's second-factor device still counts
    (`checking_device`), which django-otp would ask in a query of its own: a device deleted
    or unconfirmed stops counting from the next request on, as before.
    """

    def get_user(self, user_id: int) -> User | None:
        device_id = _session_device.get()
        device = _session_device_model(device_id) if device_id else None
        user = _user_statement(device[0] if device else None).load(
            int(user_id), device[1] if device else None
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        if device_id and device is not None:
            user.otp_session_device = (device_id, bool(user._session_device_ok))  # type: ignore[attr-defined]
        # `User.active_membership` is a cached_property: fill it with what was just read
        # (the membership is one-to-one; an inactive one is no membership).
        membership = getattr(user, "membership", None)
        user.__dict__["active_membership"] = (
            membership if membership is not None and membership.active else None
        )
        return user

    def get_all_permissions(
        self, user_obj: "User | AnonymousUser", obj: Model | None = None
    ) -> set[str]:
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser
        ):
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            rows = _capabilities_statement().load(user_obj.pk)
            # Django's own per-request cache attribute (ModelBackend sets it the same way).
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}  # type: ignore[attr-defined]
        return user_obj._perm_cache  # type: ignore[attr-defined,no-any-return]


class GrantChecker(ObjectPermissionChecker):
    """guardian's checker, counting only the rows its models' `objects` manager returns
    (for akrim's grant models: shares and grants in force, cases/grants.py)."""

    @staticmethod
    def _in_force(filters: dict[str, Any], model: type[Model]) -> dict[str, Any]:
        # The direct-FK grant model is known only at runtime (guardian's utils return
        # type[Model]), so neither its `permission` field nor its `objects` manager is typed.
        related = model.permission.field.related_query_name()  # type: ignore[attr-defined]
        return {**filters, f"{related}__in": model.objects.all()}  # type: ignore[attr-defined]

    def get_user_filters(self, obj: Model) -> dict[str, Any]:
        return self._in_force(super().get_user_filters(obj), get_user_obj_perms_model(obj))

    def get_group_filters(self, obj: Model) -> dict[str, Any]:
        # guardian leaves its own get_group_filters unannotated.
        filters = super().get_group_filters(obj)  # type: ignore[no-untyped-call]
        return self._in_force(filters, get_group_obj_perms_model(obj))


class GrantBackend(ObjectPermissionBackend):
    """guardian's backend with `GrantChecker`: an expired row grants nothing here either."""

    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        if obj is None:  # guardian's check_support says no for a missing object, too
            return False
        support, user_obj = check_support(user_obj, obj)
        if not support:
            return False
        return GrantChecker(user_obj).has_perm(perm, obj)

    def get_group_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        if obj is None:
            return set()
        support, user_obj = check_support(user_obj, obj)
        if not support:
            return set()
        return set(GrantChecker(user_obj).get_group_perms(obj))

    def get_all_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        if obj is None:
            return set()
        support, user_obj = check_support(user_obj, obj)
        if not support:
            return set()
        return set(GrantChecker(user_obj).get_perms(obj))
