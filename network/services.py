"""Writes to the network: agencies' groups, roles, memberships, and the audit trail.

Every function that changes state is atomic, takes the acting user as keyword-only `actor`
(None for the system itself, e.g. migrations and `seed_demo`) and records one AuditEvent.
"""

import json
from collections.abc import Iterable
from typing import Any, cast

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, router, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from network import permissions
from network.middleware import current_request
from network.models import (
    Agency,
    AuditEvent,
    AuditEventReview,
    Centre,
    Membership,
    Role,
    RoleGroup,
    User,
    WorkerHeartbeat,
)


def record_event(
    action: str,
    *,
    actor: User | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    purpose: str = "",
    changes: dict[str, Any] | None = None,
    agency: Agency | None = None,
) -> AuditEvent:
    """Append one event to the audit trail.

    The actor's agency is taken from their membership unless given (a failed login has no
    actor, but may know the agency of the username tried). Request id and IP come from the
    request being served, if any.
    """
    event = build_event(
        action,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        changes=changes,
        agency=agency,
    )
    event.save(force_insert=True)
    return event


def build_event(
    action: str,
    *,
    actor: User | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    purpose: str = "",
    changes: dict[str, Any] | None = None,
    agency: Agency | None = None,
) -> AuditEvent:
    """The event `record_event` appends, unsaved: a list that shows many records writes
    their events in one insert (`network.policies.record_reads`)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if agency is None and actor is not None and actor.is_authenticated:
        agency = actor.agency
    context = current_request()
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=actor.get_username() if actor is not None else "",
        agency=agency,
        agency_code=agency.code if agency else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        purpose=purpose,
        request_id=context.request_id,
        ip=context.ip,
        changes=changes or {},
    )


# One event's own values in `append_events`; the rest is the request's.
EventRow = tuple[str, str, str, str, dict[str, Any]]  # action, object type, id, purpose, changes
_SHARED = ("at", "actor", "actor_username", "agency", "agency_code", "request_id", "ip")
_EACH = ("action", "object_type", "object_id", "purpose", "changes")
_append_sql: dict[str, str] = {}


def _append_statement(using: str) -> str:
    """The insert `append_events` sends on PostgreSQL, written once per process from the
    model's own table, columns and column types. The rows' own values come as one JSON
    array of objects (`json_to_recordset`): one parameter for the driver to quote, where
    five arrays of 50 strings each cost more than the rest of the insert."""
    sql = _append_sql.get(using)
    if sql is None:
        connection = connections[using]
        quote, meta = connection.ops.quote_name, AuditEvent._meta
        fields = [cast(models.Field[Any, Any], meta.get_field(n)) for n in (*_SHARED, *_EACH)]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        shared = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields[: len(_SHARED)])
        record = ", ".join(
            [f"{quote(name)} text" for name in _EACH[:-1]] + [f"{quote(_EACH[-1])} jsonb"]
        )
        each = ", ".join(f"u.{quote(name)}" for name in _EACH)
        sql = _append_sql[using] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {shared}, {each} "  # noqa: S608
            f"FROM json_to_recordset(%s::json) AS u({record})"
        )
    return sql


def append_events(actor: User | None, rows: list[EventRow]) -> int:
    """Append one event per row for `actor` in one insert: the events `build_event` makes of
    the same values (actor, agency, request id and IP as there), with one time for all.

    A list that shows whole records writes one read event per record shown
    (`network.policies.record_reads`). Built as models and inserted by the ORM, 50 events
    cost more Python than the rest of the page; on PostgreSQL this is one statement written
    once per process, the rows' values sent as one JSON array (docs/performance.md, "d: case
    list"). `tests/network/test_append_events.py` compares the rows with `build_event`'s."""
    if not rows:
        return 0
    using = router.db_for_write(AuditEvent)
    if connections[using].vendor != "postgresql":
        AuditEvent.objects.using(using).bulk_create(
            build_event(action, actor=actor, object_type=kind, object_id=pk, purpose=p, changes=c)
            for action, kind, pk, p, c in rows
        )
        return len(rows)
    signed_in = actor is not None and actor.is_authenticated
    agency = actor.agency if signed_in and actor is not None else None
    context = current_request()
    shared = [
        timezone.now(),
        actor.pk if signed_in and actor is not None else None,
        actor.get_username() if actor is not None else "",
        agency.pk if agency else None,
        agency.code if agency else "",
        context.request_id,
        context.ip,
    ]
    each = json.dumps(
        [
            {
                "action": action,
                "object_type": kind,
                "object_id": str(pk) if pk != "" else "",
                "purpose": purpose,
                "changes": changes or {},
            }
            for action, kind, pk, purpose, changes in rows
        ]
    )
    with connections[using].cursor() as cursor:
        cursor.execute(_append_statement(using), [*shared, each])
    return len(rows)


@transaction.atomic
def ensure_agency_group(agency: Agency) -> Group:
    """Give the agency its own group for object-level grants, named after its code."""
    if agency.group_id is not None and agency.group is not None:
        if agency.group.name != agency.group_name:
            Group.objects.filter(pk=agency.group_id).update(name=agency.group_name)
        return agency.group
    group, _created = Group.objects.get_or_create(name=agency.group_name)
    Agency.objects.filter(pk=agency.pk).update(group=group)
    agency.group = group
    return group


@transaction.atomic
def sync_role_groups() -> None:
    """Create the role groups and give each exactly the capabilities in the registry.

    Runs after every migrate, so a capability added in code reaches the database without
    anyone editing groups by hand, and one removed from code is taken away."""
    for role in Role:
        role_group = RoleGroup.objects.filter(role=role).select_related("group").first()
        if role_group is None:
            group, _created = Group.objects.get_or_create(name=f"role:{role.value}")
            role_group = RoleGroup.objects.create(role=role, group=group)
        wanted = permissions.capabilities(role)
        by_app: dict[str, list[str]] = {}
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            by_app.setdefault(app_label, []).append(codename)
        perm_ids: set[int] = set()
        for app_label, codenames in by_app.items():
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            ).values_list("pk", "codename")
            missing = set(codenames) - {codename for _pk, codename in found}
            if missing:
                raise LookupError(f"Unknown permissions for role {role}: {sorted(missing)}")
            perm_ids.update(pk for pk, _codename in found)
        role_group.group.permissions.set(perm_ids)
    for agency in Agency.objects.filter(group__isnull=True):
        ensure_agency_group(agency)


def _clean_roles(roles: Iterable[str]) -> list[str]:
    cleaned = sorted(set(roles))
    unknown = [r for r in cleaned if r not in Role.values]
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}}
        )
    if not cleaned:
        raise ValidationError({"roles": _("Choose at least one role.")})
    return cleaned


def sync_user_groups(user: User) -> None:
    """Make the user's groups follow their membership: the agency's group and one group per
    role while the membership is active; no akrim groups at all once it is not."""
    managed = Group.objects.filter(models.Q(agency__isnull=False) | models.Q(role__isnull=False))
    membership = Membership.objects.filter(user=user).select_related("agency").first()
    wanted: set[int] = set()
    if membership is not None and membership.active and membership.agency.active:
        wanted.add(ensure_agency_group(membership.agency).pk)
        wanted.update(
            RoleGroup.objects.filter(role__in=membership.roles).values_list("group_id", flat=True)
        )
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    # Admins of an agency use the Django admin, which requires is_staff.
    is_staff = bool(
        user.is_superuser or (membership and membership.active and Role.ADMIN in membership.roles)
    )
    if user.is_staff != is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=is_staff)
        user.is_staff = is_staff
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "active_membership"):
        user.__dict__.pop(cache, None)


@transaction.atomic
def set_membership(
    user: User,
    *,
    agency: Agency,
    roles: Iterable[str],
    centre: Centre | None = None,
    active: bool = True,
    actor: User | None,
) -> Membership:
    """Place `user` in `agency` with `roles` (replacing any earlier placement).

    Nobody but the system administrator changes their own membership: an agency admin who
    could give themselves the auditor role would review their own actions (separation of
    duties, docs/security.md)."""
    if actor is not None and actor.pk == user.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot change your own roles or membership."))
    roles = _clean_roles(roles)
    membership = Membership.objects.select_for_update().filter(user=user).first()
    before = (
        {
            "agency": membership.agency.code,
            "roles": membership.roles,
            "centre": membership.centre.code if membership.centre else None,
            "active": membership.active,
        }
        if membership
        else {}
    )
    if membership is None:
        membership = Membership(user=user)
    membership.agency = agency
    membership.roles = roles
    membership.centre = centre
    membership.active = active
    membership.save()
    sync_user_groups(user)
    after = {
        "agency": agency.code,
        "roles": roles,
        "centre": centre.code if centre else None,
        "active": active,
    }
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    record_event(
        "membership.created" if not before else "membership.updated",
        actor=actor,
        obj=membership,
        changes=changes,
        agency=agency,
    )
    return membership


@transaction.atomic
def create_staff(
    *,
    username: str,
    agency_code: str,
    roles: Iterable[str],
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    centre_code: str | None = None,
    actor: User | None,
) -> User:
    """Create a user in an agency with the given roles. Without a password the account
    cannot log in until a password reset."""
    agency = Agency.objects.filter(code=agency_code, active=True).first()
    if agency is None:
        raise ValidationError({"agency": _("Unknown agency: %(code)s.") % {"code": agency_code}})
    centre = None
    if centre_code:
        centre = Centre.objects.filter(code=centre_code).first()
        if centre is None:
            raise ValidationError(
                {"centre": _("Unknown regional centre: %(code)s.") % {"code": centre_code}}
            )
    roles = _clean_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The username %(name)s is taken.") % {"name": username}}
        )
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record_event("user.created", actor=actor, obj=user, agency=agency)
    set_membership(user, agency=agency, roles=roles, centre=centre, actor=actor)
    return user


def sample_events(events: QuerySet[AuditEvent], *, size: int, actor: User) -> list[AuditEvent]:
    """A random sample of not yet reviewed events from `events` (already scoped by
    visible_to), for the auditors' periodic log review. Drawing a sample is itself audited."""
    unreviewed = events.filter(review__isnull=True).exclude(_about_user(actor))
    sample = list(unreviewed.order_by("?")[:size])
    record_event(
        "audit.sampled",
        actor=actor,
        object_type="network.auditevent",
        changes={"size": size, "ids": [e.pk for e in sample]},
    )
    return sample


def _about_user(user: User) -> models.Q:
    """Events of the user's own actions, and events about their account."""
    return models.Q(actor_id=user.pk) | models.Q(object_type="network.user", object_id=str(user.pk))


def is_about(event: AuditEvent, user: User) -> bool:
    return event.actor_id == user.pk or (
        event.object_type == "network.user" and event.object_id == str(user.pk)
    )


@transaction.atomic
def mark_event_reviewed(event: AuditEvent, *, note: str = "", actor: User) -> AuditEventReview:
    """Record that an auditor reviewed `event` (once; a second review changes nothing).

    Never an event of the auditor's own actions or about their own account: reviewing
    oneself would take one's own events out of the sample (separation of duties); another
    auditor reviews them, and the sample drawn by this auditor leaves them out."""
    if is_about(event, actor):
        raise PermissionDenied(_("You cannot review events about your own actions."))
    review, created = AuditEventReview.objects.get_or_create(
        event=event, defaults={"reviewer": actor, "note": note.strip()}
    )
    if created:
        record_event("audit.reviewed", actor=actor, obj=event, purpose=note.strip())
    return review


def next_reference(counter_model: type[Any], prefix: str, year: int) -> str:
    # Any: each app's YearCounter model (year, last); they share no base class.
    """The next gap-free reference of a year, e.g. "AK-2026-000123". Call inside the
    transaction that creates the object: the year's counter row stays locked until it
    commits, and a rollback gives the number back."""
    counter_model.objects.bulk_create([counter_model(year=year, last=0)], ignore_conflicts=True)
    counter = counter_model.objects.select_for_update().get(year=year)
    counter.last = models.F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def record_worker_heartbeat(name: str, hostname: str = "") -> None:
    """Note that a worker is alive (called by the beat-scheduled task)."""
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now(), "hostname": hostname[:200]}
    )
