"""Who may do what to which object: one policy per protected model (docs/access.md).

A policy answers two questions with the same rule:

- `scope(user, action)`: the queryset of objects the user may act on (lists, counts, joins);
  `Model.objects.visible_to(user)` is `scope(user, "view")`.
- `decide(user, action, obj)`: whether the user may act on this one object, and on what
  basis (owner agency, share and its legal basis, assignment, coordination, ...). The basis
  is what the audit trail records for a read (`record_read`).

`require(user, action, obj)` is what services and views call: 404 when the object is not
visible to the user (one answer for "not found" and "not allowed to know"), 403 when it is
visible but the action is not allowed. Services call it themselves and never trust their
caller. The two halves are written separately on purpose: tests/network/test_policy_differential.py
checks on random worlds that they agree with each other, with `visible_to` and with
`user.has_perm(perm, obj)` (which `network.backends.PolicyBackend` answers from `decide`).

Roles come from data: the coordinating agency is `Agency.is_coordinator`, the national
coordinator for victims is `Agency.is_national_coordinator`, a centre's coordinators are
coordinators with a `Membership.centre`. No agency code is written in a policy.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from network.models import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from network.http import AnyUser
    from network.models import AuditEvent, Membership, User


class Basis(models.TextChoices):
    """Why a user may act on an object: recorded with every read."""

    OWNER_AGENCY = "owner_agency", _("Owning agency")
    SHARE = "share", _("Shared with the agency")
    PERSONAL_GRANT = "personal_grant", _("Personal grant")
    BREAK_THE_GLASS = "break_the_glass", _("Emergency access")
    ASSIGNMENT = "assignment", _("Assigned to the inspection")
    COORDINATION = "coordination", _("Coordinating agency")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    DISCLOSURE = "disclosure", _("Disclosed to the agency")
    REFERRAL = "referral", _("Referring or receiving agency")
    FORWARDED = "forwarded", _("Forwarded to the agency")
    ROLE = "role", _("Role in the network")


@dataclass(frozen=True)
class Access:
    """The answer of `decide`: allowed or not, and the basis that allowed it.

    `legal_basis` is the recorded legal basis of a share or grant (e.g. a duty to inform),
    `via` names the row that gave access (e.g. "share:12"), so the audit trail points at it."""

    allowed: bool
    basis: str = ""
    legal_basis: str = ""
    via: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def purpose(self) -> str:
        """The text the audit event carries as the reason for the access."""
        if not self.allowed:
            return ""
        return ": ".join(part for part in (self.basis, self.legal_basis) if part)


DENIED = Access(False)


def allow(basis: str, *, legal_basis: str = "", via: str = "") -> Access:
    return Access(True, basis=str(basis), legal_basis=str(legal_basis or ""), via=via)


def membership_of(user: "AnyUser") -> "Membership | None":
    """The user's active membership, or None (anonymous users and deactivated accounts)."""
    if not user.is_authenticated:
        return None
    return user.active_membership


def agency_id_of(user: "AnyUser") -> int | None:
    membership = membership_of(user)
    return membership.agency_id if membership else None


def is_national_coordinator(user: "AnyUser") -> bool:
    """The user's agency holds the national coordinator role for victims (data, not a code)."""
    membership = membership_of(user)
    return bool(membership and membership.agency.is_national_coordinator)


def is_network_coordinator(user: "AnyUser") -> bool:
    """The user's agency coordinates the network's joint controls (`Agency.is_coordinator`)."""
    membership = membership_of(user)
    return bool(membership and membership.agency.is_coordinator)


def coordinates_centre(user: "AnyUser") -> bool:
    """A coordinator of a regional centre: the coordinator role and a centre on the membership."""
    membership = membership_of(user)
    return bool(membership and membership.centre_id and Role.COORDINATOR in membership.roles)


class Policy[M: models.Model]:
    """Base of one model's rule. Subclasses set `model` and `actions` and write `scope` and
    `decide` for each action; `require` and the permission mapping come from here."""

    model: type[M]
    actions: tuple[str, ...] = ("view",)
    # Django permission codenames whose action is not "<action>_<model>" (e.g. guardian's
    # "cases.share_case") map here to a policy action.
    codename_actions: dict[str, str] = {}
    # The audit action of a read (`record_read`); "<model_name>.viewed" unless named here.
    read_event: str = ""

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: models.QuerySet[M] | None = None
    ) -> models.QuerySet[M]:
        raise NotImplementedError

    def decide(self, user: "AnyUser", action: str, obj: M) -> Access:
        raise NotImplementedError

    def require(self, user: "AnyUser", action: str, obj: M, message: "StrOrPromise" = "") -> Access:
        """The access, or Http404 (not visible) / PermissionDenied (visible, not allowed).

        `message` is the refusal a person reads; it names the rule, never what the user
        cannot see (no counts of hidden children)."""
        seen = self.decide(user, "view", obj)
        if not seen:
            raise Http404
        if action == "view":
            return seen
        access = self.decide(user, action, obj)
        if not access:
            raise PermissionDenied(message) if message else PermissionDenied
        return access

    def action_of(self, codename: str) -> str | None:
        """The policy action a permission codename asks about, or None if not this model's."""
        if codename in self.codename_actions:
            return self.codename_actions[codename]
        suffix = f"_{self.model._meta.model_name}"
        if codename.endswith(suffix) and codename[: -len(suffix)] in self.actions:
            return codename[: -len(suffix)]
        return None

    def _check(self, action: str) -> None:
        if action not in self.actions:
            raise ValueError(f"{type(self).__name__} has no action {action!r}")


_POLICIES: dict[type[models.Model], Policy[Any]] = {}


def register[P: Policy[Any]](policy_class: type[P]) -> type[P]:
    """Class decorator: make the policy the one rule of its model."""
    _POLICIES[policy_class.model] = policy_class()
    return policy_class


def policy_for(model_or_obj: models.Model | type[models.Model]) -> Policy[Any] | None:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _POLICIES.get(model._meta.concrete_model or model)


def registered_policies() -> dict[type[models.Model], Policy[Any]]:
    return dict(_POLICIES)


def scope[M: models.Model](
    user: "AnyUser", model: type[M], action: str = "view"
) -> models.QuerySet[M]:
    return _POLICIES[model].scope(user, action)


def _registered(obj: models.Model) -> Policy[Any]:
    policy = policy_for(obj)
    if policy is None:
        raise LookupError(f"No policy is registered for {type(obj).__name__}")
    return policy


def decide(user: "AnyUser", action: str, obj: models.Model) -> Access:
    return _registered(obj).decide(user, action, obj)


def require(
    user: "AnyUser", action: str, obj: models.Model, message: "StrOrPromise" = ""
) -> Access:
    return _registered(obj).require(user, action, obj, message)


def record_read(
    user: "User",
    obj: models.Model,
    access: Access | None = None,
    *,
    action: str = "",
    route: str = "",
    changes: dict[str, Any] | None = None,
    purpose: str = "",
) -> "AuditEvent":
    """THE way a read of a protected record is written to the audit trail.

    The basis recorded is the one the policy returned for this read, so the trail never
    names an expired grant when an active share gave access. Every route that shows one
    record (page, form re-render, API detail or look-up, admin, export, download) calls this.
    `action` names the event when it is more than a view (e.g. a download); `purpose`
    replaces the basis as the event's purpose when the user stated one (a reveal of
    identity); the basis is in the event's details either way."""
    from network.services import record_event

    if access is None:
        access = require(user, "view", obj)
    return record_event(**_read_event(user, obj, access, action, route, changes, purpose))


def record_reads(
    user: "User", objs: list[Any], accesses: dict[int, Access], *, route: str = ""
) -> int:
    """`record_read` for a list that shows whole records: one event per record shown, each
    with its own basis (`accesses`: pk -> Access, from the policy's `decide_many`), written
    in one insert so a page costs one query more, whatever its length
    (`network.services.append_events`). Returns the number of events written."""
    from network.services import append_events

    rows = []
    for obj in objs:
        event = _read_event(user, obj, accesses[obj.pk], "", route, None, "")
        rows.append(
            (event["action"], obj._meta.label_lower, obj.pk, event["purpose"], event["changes"])
        )
    return append_events(user, rows)


def _read_event(
    user: "User",
    obj: models.Model,
    access: Access,
    action: str,
    route: str,
    changes: dict[str, Any] | None,
    purpose: str,
) -> dict[str, Any]:
    """The one construction of a read event (basis, legal basis, row, route)."""
    details = {"basis": access.basis}
    if access.legal_basis:
        details["legal_basis"] = access.legal_basis
    if access.via:
        details["via"] = access.via
    if route:
        details["route"] = route
    details.update(changes or {})
    policy = policy_for(obj)
    default = (policy.read_event if policy else "") or f"{obj._meta.model_name}.viewed"
    return {
        "action": action or default,
        "actor": user,
        "obj": obj,
        "purpose": purpose or access.purpose,
        "changes": details,
    }
