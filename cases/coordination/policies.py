"""Who may do what to a case: the one rule (docs/access.md, "Case").

A case is seen by its owner agency, by an agency it is shared with (an active share) and by
a named person holding an active personal grant (a grant from the owner agency, or their own
break-the-glass access). When several of these hold, the basis recorded for a read is the
first of: owner agency, share, personal grant / break-the-glass, so an expired grant is
never named when an active share gave the access.

Writing needs more than seeing:

- change (its fields, its status): the change capability and the owner agency, an active
  edit share or an active edit grant;
- add_attachment: the change right and the capability to attach files;
- add_note: anyone who sees the case, with the capability to write notes (the timeline is
  the conversation of everyone the case is shared with);
- share (shares, personal grants, their revocation): the owner agency, with the capability.

Shares and grants are django-guardian's direct foreign-key rows on the case. Only the two
helpers below read them, so the shape of those rows is known in one place.
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import BooleanField, F, Q, QuerySet, Subquery, Value
from django.db.models.expressions import Expression
from django.utils import timezone

from cases.coordination.models import (
    AccessReview,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
)
from cases.grants import LegalBasis, in_force
from network.policies import (
    DENIED,
    Access,
    Basis,
    Policy,
    allow,
    membership_of,
    policy_for,
    register,
)
from network.querysets import PreparedExists
from network.statements import Marks

if TYPE_CHECKING:
    from network.http import AnyUser

VIEW, EDIT = "view_case", "change_case"

# The role capabilities each action needs besides the relation to the case (never rows;
# docs/access.md, "django-guardian"). Seeing a case needs none: the owner agency sees its
# cases in every role. Guardian is asked for the same conjunction for the actions it holds
# rows for: `get_objects_for_user(user, [object permission, *CAPABILITIES[action]])`.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "view": (),
    "change": ("cases.edit_cases",),
    "share": ("cases.share_cases",),
    "add_note": ("cases.add_casenote",),
    "add_attachment": ("cases.edit_cases", "cases.add_caseattachment"),
}


def _capable(user: "AnyUser", action: str) -> bool:
    return all(user.has_perm(perm) for perm in CAPABILITIES[action])


def _active(model: Any, codename: str, now: Any = None) -> QuerySet[Any]:
    """The rows of `model` that grant `codename` (view: any access, change: edit) and are in
    force, by the same condition as the grant models' `objects` manager
    (`cases.grants.in_force`). The permission is a scalar subquery (evaluated once), not a
    join, so the grant index (holder, permission, case, expiry, part_of) answers it alone
    (docs/performance.md).

    Of an agency's rows, only shares: the owner agency's own rows (`owner`) are written for
    the case's owner agency when the case is created (cases/grants.py) and a case's owner
    agency never changes, so they give no access the case's own column does not already
    give. Asked among the shares, they were one row per case the agency owns, gathered for
    every page of cases (docs/performance.md, "First pages")."""
    permission = Permission.objects.filter(codename=codename).order_by().values("pk")[:1]
    rows: QuerySet[Any] = model.all_grants.filter(
        in_force(model, now=now), permission_id=Subquery(permission)
    )
    if model is CaseGroupObjectPermission:
        rows = rows.filter(owner=False)
    return rows


def _holding(model: Any, codename: str, *, outer: int, now: Any, holder: int) -> QuerySet[Any]:
    """The rows by which `holder` (a user for personal grants, an agency's group for shares)
    holds `codename` in force on the case `outer`: `_active`'s rows."""
    field = "user_id" if model is CaseUserObjectPermission else "group_id"
    return _active(model, codename, now).filter(content_object_id=outer, **{field: holder})


def _holds(model: Any, codename: str, now: Any, holder: int) -> PreparedExists:
    """EXISTS `_holding` for the outer case, compiled once per process
    (network.querysets.PreparedExists): on a first page of cases, building and compiling
    the two grant subqueries in the ORM cost more than the page's SQL (docs/performance.md,
    "First pages")."""
    return PreparedExists("cases.holding", _holding, (model, codename), now=now, holder=holder)


def _share_basis(row: CaseGroupObjectPermission) -> Access:
    return allow(Basis.SHARE, legal_basis=row.legal_basis, via=f"share:{row.pk}")


def _grant_basis(row: CaseUserObjectPermission) -> Access:
    if row.legal_basis == LegalBasis.BREAK_THE_GLASS:
        return allow(Basis.BREAK_THE_GLASS, legal_basis=row.legal_basis, via=f"grant:{row.pk}")
    return allow(Basis.PERSONAL_GRANT, legal_basis=row.legal_basis, via=f"grant:{row.pk}")


@register
class CasePolicy(Policy[Case]):
    model = Case
    actions = ("view", "change", "share", "add_note", "add_attachment")
    codename_actions = {"add_casenote": "add_note", "add_caseattachment": "add_attachment"}

    # --- scope: the same rule as a queryset --------------------------------------------

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[Case] | None = None
    ) -> QuerySet[Case]:
        """Agency through a plain column, grants as EXISTS (compiled once, `_holds`): no join
        inside the OR, so no duplicate rows and a cheap plan at a million cases
        (docs/performance.md)."""
        self._check(action)
        queryset = Case.objects.all() if queryset is None else queryset
        if not getattr(user, "is_authenticated", False):
            return queryset.none()
        membership = membership_of(user)
        if not _capable(user, action):
            return queryset.none()
        if action == "share":
            if membership is None:
                return queryset.none()
            return queryset.filter(owner_agency_id=membership.agency_id)
        codename = EDIT if action in ("change", "add_attachment") else VIEW
        now = timezone.now()
        if user.pk is None:  # an unsaved user holds no grant
            return queryset.none()
        personal = _holds(CaseUserObjectPermission, codename, now, user.pk)
        if membership is None:
            return queryset.filter(personal)
        group_id = membership.agency.group_id
        if group_id is None:  # a share is a row of the agency's group (never null)
            return queryset.filter(Q(owner_agency_id=membership.agency_id) | personal)
        shared = _holds(CaseGroupObjectPermission, codename, now, group_id)
        return queryset.filter(Q(owner_agency_id=membership.agency_id) | shared | personal)

    def newest(self, user: "AnyUser", count: int) -> QuerySet[Case]:
        """The cases of `scope(user, "view")` as far as its `count` newest: ordered newest
        first (`-id`) and cut at `count`, the same rows as the scope's, by a cheaper
        statement. For the first page of the list when nothing else filters it
        (`network.api.pagination.IdCursorPagination`).

        Why: the scope's EXISTS are planned for every case the index scan might pass, so
        PostgreSQL hashes all of the agency's shares for every page (5,546 at full size),
        and plans each EXISTS twice. Here each relation gives its own newest `count` ids by
        its index (the owner agency's cases, the agency's shares, the user's grants, each
        `_active`'s rows as the scope reads them), and the page reads those by primary key
        (docs/performance.md, "First pages at full size"). The newest `count` cases of the
        scope are among them, and every one of them is in the scope."""
        queryset = Case.objects.all()
        if not getattr(user, "is_authenticated", False) or not _capable(user, "view"):
            return queryset.none()
        if user.pk is None:  # an unsaved user holds no grant
            return queryset.none()
        using = router.db_for_read(Case)
        if connections[using].vendor != "postgresql":
            return self.scope(user, "view", queryset)
        membership = membership_of(user)
        agency = membership.agency_id if membership is not None else None
        # A share is a row of the agency's group; NULL matches no row, as the scope asks none.
        group = membership.agency.group_id if membership is not None else None
        statement = _newest_statements.get((using, count))
        if statement is None:
            statement = _newest_statements[(using, count)] = _Newest(using, count)
        params = statement.marks.fill(agency=agency, group=group, user=user.pk, now=timezone.now())
        return queryset.filter(_AmongIds(statement.sql, params))

    # --- decide: one case, and the basis -------------------------------------------------

    def _basis(self, user: "AnyUser", case: Case, codename: str) -> Access:
        membership = membership_of(user)
        if membership is not None and membership.agency_id == case.owner_agency_id:
            return allow(Basis.OWNER_AGENCY)
        now = timezone.now()
        if membership is not None:
            share = (
                _active(CaseGroupObjectPermission, codename, now)
                .filter(content_object=case, group_id=membership.agency.group_id)
                .order_by("-granted_at", "-pk")
                .first()
            )
            if share is not None:
                return _share_basis(share)
        grant = (
            _active(CaseUserObjectPermission, codename, now)
            .filter(content_object=case, user_id=user.pk)
            .order_by("-granted_at", "-pk")
            .first()
        )
        return _grant_basis(grant) if grant is not None else DENIED

    def decide(self, user: "AnyUser", action: str, obj: Case) -> Access:
        self._check(action)
        if not getattr(user, "is_authenticated", False):
            return DENIED
        if not _capable(user, action):
            return DENIED
        if action == "share":
            membership = membership_of(user)
            if membership is not None and membership.agency_id == obj.owner_agency_id:
                return allow(Basis.OWNER_AGENCY)
            return DENIED
        if action in ("change", "add_attachment"):
            return self._basis(user, obj, EDIT)
        return self._basis(user, obj, VIEW)

    def decide_many(self, user: "AnyUser", cases: list[Case]) -> dict[int, Access]:
        """`decide(user, "view", case)` for a page of cases, for `record_reads` on a list:
        the owner agency from the rows themselves, the user's active shares and grants among
        the rest in one query (two off PostgreSQL)."""
        membership = membership_of(user)
        own = membership.agency_id if membership is not None else None
        answers = {c.pk: allow(Basis.OWNER_AGENCY) for c in cases if c.owner_agency_id == own}
        rest = [c.pk for c in cases if c.pk not in answers]
        if not rest:
            return answers
        now = timezone.now()
        group = membership.agency.group_id if membership is not None else None
        using = router.db_for_read(CaseGroupObjectPermission)
        if connections[using].vendor == "postgresql":
            shared: set[int] = set()
            for kind, case_id, pk, legal_basis in _page_bases(using, rest, group, user.pk, now):
                row = _BasisRow(pk, legal_basis)
                if kind == 0:  # a share; the newest wins, as in decide
                    answers[case_id] = _share_basis(row)  # type: ignore[arg-type]
                    shared.add(case_id)
                elif case_id not in shared:  # a grant counts only where no share holds
                    answers[case_id] = _grant_basis(row)  # type: ignore[arg-type]
            return answers
        if group is not None:
            shares = _active(CaseGroupObjectPermission, VIEW, now).filter(
                content_object_id__in=rest, group_id=group
            )
            for share in shares.order_by("granted_at", "pk"):  # the newest wins, as in decide
                answers[share.content_object_id] = _share_basis(share)
        grants = _active(CaseUserObjectPermission, VIEW, now).filter(
            content_object_id__in=[pk for pk in rest if pk not in answers], user_id=user.pk
        )
        for grant in grants.order_by("granted_at", "pk"):
            answers[grant.content_object_id] = _grant_basis(grant)
        return answers


class _BasisRow(NamedTuple):
    """What `_share_basis` and `_grant_basis` read of a share or grant row."""

    pk: int
    legal_basis: str


# Values no row has, marking in the compiled statement's parameters where the page's cases,
# the agency's group, the user and the time go (`_PageBases`), as in network.backends.
_CASES_MARK = -2_013_265_953
_GROUP_MARK = -2_013_265_969
_USER_MARK = -2_013_265_985
_NOW_MARK = datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)


class _PageBases:
    """The active view shares of an agency's group and grants of a user among some cases,
    as (0 share / 1 grant, case, row, legal basis) in `decide_many`'s order: the ORM's own
    statement for the two `_active` querysets (the rule in force is `cases.grants.in_force`,
    written once), compiled once per process with the cases as an array (`= ANY`).

    Building and compiling the two querysets cost more Python per request than the rest of
    the page's reads (docs/performance.md, "d: case list").
    `tests/cases/test_case_list_output.py` compares the answers with the ORM path's."""

    def __init__(self, using: str) -> None:
        columns = ("kind", "content_object_id", "pk", "legal_basis", "granted_at")
        shares = (
            _active(CaseGroupObjectPermission, VIEW, _NOW_MARK)
            .filter(content_object_id__in=[_CASES_MARK], group_id=_GROUP_MARK)
            .annotate(kind=Value(0))
            .values_list(*columns)
        )
        grants = (
            _active(CaseUserObjectPermission, VIEW, _NOW_MARK)
            .filter(content_object_id__in=[_CASES_MARK], user_id=_USER_MARK)
            .annotate(kind=Value(1))
            .values_list(*columns)
        )
        both = shares.union(grants, all=True).order_by("kind", "granted_at", "pk")
        sql, params = both.query.get_compiler(using=using).as_sql()
        array = f"{Case._meta.pk.rel_db_type(connections[using])}[]"
        anyway = sql.replace(
            '"content_object_id" IN (%s)', f'"content_object_id" = ANY(%s::{array})'
        )
        self.sql = anyway
        times = [p for p in params if isinstance(p, datetime)]
        if not times or any(p != _NOW_MARK for p in times):  # every "now" is the request's
            raise ValueError("the compiled statement's parameters are not as expected")
        if sql.count('"content_object_id" IN (%s)') != 2:
            raise ValueError("the compiled statement's parameters are not as expected")
        self.marks = Marks(
            params,
            {"cases": _CASES_MARK, "group": _GROUP_MARK, "user": _USER_MARK, "now": _NOW_MARK},
            {"cases": 2, "group": 1, "user": 1, "now": len(times)},
        )

    def rows(
        self, using: str, cases: list[int], group: int | None, user: Any, now: Any
    ) -> list[tuple[int, int, int, str]]:
        params = self.marks.fill(cases=cases, group=group, user=user, now=now)
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, params)
            return [(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()]


_page_statements: dict[str, _PageBases] = {}


def _page_bases(
    using: str, cases: list[int], group: int | None, user: Any, now: Any
) -> list[tuple[int, int, int, str]]:
    statement = _page_statements.get(using)
    if statement is None:
        statement = _page_statements[using] = _PageBases(using)
    return statement.rows(using, cases, group, user, now)


def case_policy() -> CasePolicy:
    """The registered policy of cases, as a `CasePolicy`: the case list reads through its
    case-only methods (`newest`, `decide_many`), which the generic `policy_for` does not
    promise."""
    policy = policy_for(Case)
    if not isinstance(policy, CasePolicy):  # registered when the cases app is ready
        raise ImproperlyConfigured("Case has no CasePolicy registered.")
    return policy


# Values no row has, marking where `_Newest` takes the agency, its group, the user and the
# time, as for `_PageBases` above.
_AGENCY_MARK = -2_013_265_937
_NEWEST_GROUP_MARK = -2_013_265_921
_NEWEST_USER_MARK = -2_013_265_905
_NEWEST_NOW_MARK = datetime(1901, 3, 4, 5, 6, 7, 890_123, tzinfo=UTC)


class _Newest:
    """The ids of the `count` newest cases of each relation that gives a view of a case:
    the owner agency's cases, the agency's shares in force, the user's grants in force
    (`_active`'s rows, as the scope reads them), as one `UNION ALL` statement built by the
    ORM and compiled once per process and count (`CasePolicy.newest`).

    The newest `count` cases the user may see are among these (at most 3 x `count` ids,
    duplicates allowed: the page asks `id = ANY(...)`); each branch is read newest first
    along its index and stops at `count` rows."""

    def __init__(self, using: str, count: int) -> None:
        owned = (
            Case.objects.filter(owner_agency_id=_AGENCY_MARK)
            .order_by("-pk")
            .values_list("pk")[:count]
        )
        shares = (
            _active(CaseGroupObjectPermission, VIEW, _NEWEST_NOW_MARK)
            .filter(group_id=_NEWEST_GROUP_MARK)
            .order_by("-content_object_id")
            .values_list("content_object_id")[:count]
        )
        grants = (
            _active(CaseUserObjectPermission, VIEW, _NEWEST_NOW_MARK)
            .filter(user_id=_NEWEST_USER_MARK)
            .order_by("-content_object_id")
            .values_list("content_object_id")[:count]
        )
        # Each branch keeps its order and limit; the union itself needs no order.
        union = owned.union(shares, grants, all=True).order_by()
        sql, params = union.query.get_compiler(using).as_sql()
        self.sql = sql
        times = [p for p in params if isinstance(p, datetime)]
        if not times or any(p != _NEWEST_NOW_MARK for p in times):  # every "now" is the call's
            raise ValueError("the compiled statement's parameters are not as expected")
        self.marks = Marks(
            params,
            {
                "agency": _AGENCY_MARK,
                "group": _NEWEST_GROUP_MARK,
                "user": _NEWEST_USER_MARK,
                "now": _NEWEST_NOW_MARK,
            },
            {"agency": 1, "group": 1, "user": 1, "now": len(times)},
        )


_newest_statements: dict[tuple[str, int], _Newest] = {}


class _AmongIds(Expression):
    """`pk = ANY(ARRAY(statement))`: the outer query's rows whose key the statement gives.
    As an array (an InitPlan), PostgreSQL reads the rows by primary key; as `IN (...)` it
    planned a semi-join over the union that read three times the buffers."""

    conditional = True

    def __init__(self, sql: str, params: list[Any]) -> None:
        super().__init__(output_field=BooleanField())
        self.sql, self.params = sql, params
        self.outer: Any = F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.outer]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.outer,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        outer_sql, outer_params = compiler.compile(self.outer)
        return f"{outer_sql} = ANY(ARRAY({self.sql}))", (*outer_params, *self.params)


@register
class AccessReviewPolicy(Policy[AccessReview]):
    """A break-the-glass access waiting for (or given) an auditor's verdict lives with the
    requester's agency (docs/access.md, "Break-the-glass review"):

    - view: an auditor of that agency (the capability `cases.work_on_access_reviews`);
    - change (give the verdict): such an auditor with `cases.edit_access_reviews`, never on
      their own access (whether it is still pending is the service's state check).

    The relation is the review's agency column, and the capabilities are asked without an
    object; guardian's rows are derived from the same (cases migration
    0014_guardian_rows_derived, docs/access.md "The derived rows")."""

    model = AccessReview
    actions = ("view", "change")

    def scope(
        self,
        user: "AnyUser",
        action: str = "view",
        queryset: QuerySet[AccessReview] | None = None,
    ) -> QuerySet[AccessReview]:
        self._check(action)
        queryset = AccessReview.objects.all() if queryset is None else queryset
        membership = membership_of(user)
        if membership is None or not user.has_perm("cases.work_on_access_reviews"):
            return queryset.none()
        queryset = queryset.filter(agency_id=membership.agency_id)
        if action == "change":
            if not user.has_perm("cases.edit_access_reviews"):
                return queryset.none()
            return queryset.exclude(user_id=membership.user_id)
        return queryset

    def decide(self, user: "AnyUser", action: str, obj: AccessReview) -> Access:
        self._check(action)
        membership = membership_of(user)
        if (
            membership is None
            or not user.has_perm("cases.work_on_access_reviews")
            or membership.agency_id != obj.agency_id
        ):
            return DENIED
        if action == "change" and (
            not user.has_perm("cases.edit_access_reviews") or obj.user_id == user.pk
        ):
            return DENIED
        return allow(Basis.OWNER_AGENCY)
