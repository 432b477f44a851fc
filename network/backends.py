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
from django.db.models import Exists, Model, OuterRef
from django.http import HttpRequest
from django_otp.models import Device
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from network.models import User
from network.policies import policy_for

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


def _device_exists(persistent_id: str) -> Exists | None:
    """EXISTS (the confirmed device `persistent_id` of the outer user), or None for an id
    that names no device model (django-otp then finds no device either)."""
    label, _slash, pk = persistent_id.partition("/")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, Device) or not pk.isdigit():
        return None
    return Exists(model._default_manager.filter(pk=int(pk), user=OuterRef("pk"), confirmed=True))


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
        users = User._default_manager.select_related(
            "membership__agency", "membership__centre"
        ).filter(pk=user_id)
        device_id = _session_device.get()
        device = _device_exists(device_id) if device_id else None
        if device is not None:
            users = users.annotate(_session_device_ok=device)
        user = users.first()
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
            own = User.user_permissions.through.objects.filter(
                user_id=user_obj.pk, permission_id=OuterRef("pk")
            )
            via_group = Group.permissions.through.objects.filter(
                permission_id=OuterRef("pk"), group__user=user_obj
            )
            rows = Permission.objects.filter(Exists(own) | Exists(via_group)).values_list(
                "content_type__app_label", "codename"
            )
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
