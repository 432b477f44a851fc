"""Reads of protected data. Every one starts at `visible_to(user)`.

A model is *protected* when its default manager is built from a `ScopedQuerySet`. Subclasses
implement `visible_to(user)` from data (the user's agency, roles, assignments) plus direct
foreign-key guardian grants folded in as `EXISTS`, never a many-to-many join inside an OR.
The permission-matrix meta-test (tests/test_matrix_coverage.py) finds every protected model
through `protected_models()` and fails when one has no matrix.
"""

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self, cast

from django.apps import apps
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.db.models.expressions import Expression
from django.db.models.sql.compiler import SQLCompiler

if TYPE_CHECKING:
    from network.http import AnyUser
    from network.models import AuditEvent, Membership  # noqa: F401 (string type arguments)


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """Base for querysets of protected models: one method answers "what may this user see".

    For a model with a policy (network/policies.py) `visible_to(user)` is the policy's
    `scope(user, "view")`, applied to this queryset; models without one define it here."""

    def visible_to(self, user: "AnyUser") -> Self:
        from network.policies import policy_for

        policy = policy_for(self.model)
        if policy is None:
            raise NotImplementedError(f"{type(self).__name__} must define visible_to(user)")
        # The policy narrows this queryset with filter()/exclude(), which keep its class.
        return cast(Self, policy.scope(user, "view", queryset=self))

    @staticmethod
    def agency_id_of(user: "AnyUser") -> int | None:
        """The id of the agency of the user's active membership, or None."""
        if not user.is_authenticated:
            return None
        membership = user.active_membership
        return membership.agency_id if membership else None


# Values no row has, marking in a statement compiled once (`PreparedExists`) where this
# call's values go: integers within 32 bits (an AutoField lookup outside them compiles as
# never true), instants long before any row was written.
_INT_MARKS = tuple(-2_013_265_000 - i for i in range(8))
_TIME_MARKS = tuple(
    datetime(1900, 1, 1, tzinfo=UTC) + timedelta(microseconds=i + 1) for i in range(8)
)
# A parameter placeholder in compiled SQL, or an escaped percent sign (skipped).
_PLACEHOLDER = re.compile(r"%%|%s")

# (SQL pieces between the parameters, the parameters, where each value goes), or None where
# the values' marks were not all found among the parameters.
type _Statement = tuple[list[str], tuple[Any, ...], dict[str, list[int]]] | None
_statements: dict[tuple[Any, ...], _Statement] = {}


class PreparedExists(Expression):
    """`EXISTS (statement)`, correlated to a column of the outer query, with the statement
    built by the ORM and compiled once per process and database, then sent with each
    call's values.

    Why: a scope's relations (shares, grants, assignments) are subqueries whose shape never
    changes, only their values (the agency, the user, now). Building and compiling them in
    the ORM on every request cost several times the page's own SQL on the first pages of
    protected lists (docs/performance.md, "First pages").

    `build(*args, outer=..., **values)` returns the queryset whose rows must exist, with the
    correlation written as a plain value (`content_object_id=outer`), not an OuterRef. It is
    called once with marker values and compiled standalone; the markers' positions among the
    parameters are remembered (as `network.backends.MembershipModelBackend` does for the
    user's own query), and where `outer` stood, the outer query's column (`outer_field`, a
    resolved F(), so relabelled with its query) is written into the SQL. The statement's own
    tables keep their names or inner aliases, and the outer column is referenced only at its
    top level, where those names are the statement's own tables: it fits any outer query.
    Where a value's mark cannot be found among the compiled parameters (a backend that
    adapts it, e.g. SQLite's datetimes), the statement is compiled on each call with the
    call's values instead: the same SQL.

    `key` names the statement's shape (with `args`, it decides `build`'s result up to the
    values); `values` are integers or aware datetimes."""

    conditional = True

    def __init__(
        self,
        key: str,
        build: Callable[..., models.QuerySet[Any]],
        args: tuple[Any, ...] = (),
        *,
        outer_field: str = "pk",
        **values: Any,
    ) -> None:
        super().__init__(output_field=models.BooleanField())
        self.key, self.build, self.args, self.values = key, build, args, values
        self.outer: Any = F(outer_field)

    def get_source_expressions(self) -> list[Any]:
        return [self.outer]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.outer,) = exprs

    def _marks(self) -> dict[str, Any]:
        ints, times = iter(_INT_MARKS), iter(_TIME_MARKS)
        marks: dict[str, Any] = {"outer": next(ints)}
        for name, value in self.values.items():
            if isinstance(value, int) and not isinstance(value, bool):
                marks[name] = next(ints)
            elif isinstance(value, datetime) and value.tzinfo is not None:
                marks[name] = next(times)
            else:
                raise TypeError(f"PreparedExists takes integers and aware datetimes: {value!r}")
        return marks

    def _compile(self, connection: BaseDatabaseWrapper, values: dict[str, Any]) -> _Statement:
        """The statement for `values` (marks or real values), split at its parameters."""
        marks = self._marks()
        query = self.build(*self.args, **{**marks, **values}).query.exists()  # as Exists does
        sql, params = query.get_compiler(connection=connection).as_sql()
        params = tuple(params)
        pieces, at = [], 0
        for match in _PLACEHOLDER.finditer(sql):
            if match.group() == "%s":
                pieces.append(sql[at : match.start()])
                at = match.end()
        pieces.append(sql[at:])
        if len(pieces) != len(params) + 1:
            raise ValueError("the compiled statement's placeholders and parameters differ")
        positions = {
            name: [i for i, p in enumerate(params) if type(p) is type(mark) and p == mark]
            for name, mark in marks.items()
            if name not in values or name == "outer"
        }
        if not all(positions.values()):
            return None
        return pieces, params, positions

    def _statement(self, connection: BaseDatabaseWrapper) -> _Statement:
        cache_key = (self.key, *self.args, tuple(self.values), connection.alias, connection.vendor)
        if cache_key not in _statements:
            _statements[cache_key] = self._compile(connection, {})
        return _statements[cache_key]

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        statement = self._statement(connection)
        values = self.values
        if statement is None:
            statement, values = self._compile(connection, self.values), {}
            if statement is None:
                raise ValueError(f"{self.key}: the outer column's mark is not in the statement")
        pieces, template, positions = statement
        outer_sql, outer_params = compiler.compile(self.outer)
        if outer_params:
            raise ValueError("the outer column of PreparedExists takes no parameters")
        params = list(template)
        for name, at in positions.items():
            if name != "outer":
                for i in at:
                    params[i] = values[name]
        outer_at = set(positions["outer"])
        sql = [pieces[0]]
        for i, piece in enumerate(pieces[1:]):
            sql.append(outer_sql if i in outer_at else "%s")
            sql.append(piece)
        sent = [p for i, p in enumerate(params) if i not in outer_at]
        return f"EXISTS({''.join(sql)})", tuple(sent)


def protected_models() -> list[type[models.Model]]:
    """Every installed model whose default manager is scoped by `visible_to`."""
    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), ScopedQuerySet)
    ]


class MembershipQuerySet(ScopedQuerySet["Membership"]):
    def visible_to(self, user: "AnyUser") -> Self:
        """Memberships a user may manage: agency administrators see their own agency's;
        the system administrator (superuser) sees all."""
        if getattr(user, "is_superuser", False):
            return self.all()
        agency_id = self.agency_id_of(user)
        if agency_id is None or not user.has_perm("network.change_membership"):
            return self.none()
        return self.filter(agency_id=agency_id)


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    def visible_to(self, user: "AnyUser") -> Self:
        """Auditors see the events of their own agency's users; nobody else sees any."""
        agency_id = self.agency_id_of(user)
        if agency_id is None or not user.has_perm("network.view_auditevent"):
            return self.none()
        return self.filter(agency_id=agency_id)
