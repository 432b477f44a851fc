"""`network.querysets.PreparedExists`: a scope's EXISTS compiled once per process, sent with
each call's values (docs/performance.md, "First pages").

What must hold: the statement sent is the one the ORM compiles for this call's values, with
the outer column where the correlation stands (so the cache changes the cost, never the
answer); a second call does not reuse the first call's values; the condition answers right
inside a query that is itself a subquery (relabelled aliases); where the marks cannot be
found among the compiled parameters the statement is compiled per call and still answers
right."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from network.models import Agency, Membership, User
from network.querysets import PreparedExists, _statements

pytestmark = pytest.mark.django_db

UNUSED = 987_654  # no user has this id


def membership(*, outer: int, agency: int, since) -> object:
    """The membership of user `outer` in `agency`, made after `since`."""
    return Membership.objects.filter(user_id=outer, agency_id=agency, created_at__gt=since)


def absolute(*, outer: int, agency: int, since) -> object:
    """The same, with the agency passed through abs(): right for every agency (ids are
    positive), but the negative mark is not among the compiled parameters."""
    return membership(outer=outer, agency=abs(agency), since=since)


def member(agency: int, since, build=membership) -> PreparedExists:
    return PreparedExists(f"test.{build.__name__}", build, agency=agency, since=since)


def usernames(queryset) -> set[str]:
    return set(queryset.values_list("username", flat=True))


def sent(expression: PreparedExists) -> tuple[str, tuple]:
    """What the outer query sends for the condition."""
    compiler = User.objects.all().query.get_compiler(connection=connection)
    resolved = expression.resolve_expression(compiler.query)
    sql, params = resolved.as_sql(compiler, connection)
    return sql, tuple(params)


def orm(**values) -> tuple[str, tuple]:
    """The ORM's own compile for these values, uncached, with the outer user's id column
    written where the (unused) correlation value stands."""
    query = membership(outer=UNUSED, **values).query.exists()
    sql, params = query.get_compiler(connection=connection).as_sql()
    at = params.index(UNUSED)
    pieces = re.split(r"%s", sql)
    column = f"{connection.ops.quote_name('network_user')}.{connection.ops.quote_name('id')}"
    sql = "%s".join(pieces[: at + 1]) + column + "%s".join(pieces[at + 1 :])
    return f"EXISTS({sql})", tuple(p for i, p in enumerate(params) if i != at)


@pytest.mark.postgres
def test_the_statement_sent_is_the_orms_for_this_calls_values():
    _statements.clear()
    skv, polis = (Agency.objects.get(code=c).pk for c in ("skv", "polis"))
    now = timezone.now()
    for agency, since in [(skv, now), (polis, now - timedelta(days=3)), (skv, now)]:
        assert sent(member(agency, since)) == orm(agency=agency, since=since)
    # One statement compiled and kept (the marks were found).
    kept = [s for key, s in _statements.items() if key[0] == "test.membership"]
    assert len(kept) == 1
    assert kept[0] is not None


def test_each_call_answers_with_its_own_values(persona):
    _statements.clear()
    persona("skv", "staff")
    persona("polis", "staff")
    skv, polis = (Agency.objects.get(code=c).pk for c in ("skv", "polis"))
    before, later = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)
    for agency, since in [(skv, before), (polis, before), (skv, later), (polis, before)]:
        ours = usernames(User.objects.filter(member(agency, since)))
        correlated = Exists(
            Membership.objects.filter(user=OuterRef("pk"), agency_id=agency, created_at__gt=since)
        )
        assert ours == usernames(User.objects.filter(correlated))
    assert usernames(User.objects.filter(member(skv, before))) == {"skv.staff"}
    assert usernames(User.objects.filter(member(skv, later))) == set()


def test_inside_a_subquery_and_combined(persona):
    """Used as a subquery, the outer query's aliases are relabelled (U0, ...), as the case
    scope is inside the inbox's counts."""
    _statements.clear()
    persona("skv", "staff")
    persona("polis", "staff")
    persona("av", "staff")
    skv, polis = (Agency.objects.get(code=c).pk for c in ("skv", "polis"))
    before = timezone.now() - timedelta(hours=1)
    inner = User.objects.filter(member(skv, before) | member(polis, before)).values("pk")
    assert usernames(User.objects.filter(pk__in=inner)) == {"skv.staff", "polis.staff"}
    memberships = Membership.objects.filter(user__in=inner)
    assert set(memberships.values_list("agency__code", flat=True)) == {"skv", "polis"}
    assert usernames(User.objects.exclude(member(skv, before)).filter(pk__in=inner)) == {
        "polis.staff"
    }


def test_without_marks_the_statement_is_compiled_per_call(persona):
    _statements.clear()
    persona("skv", "staff")
    persona("polis", "staff")
    skv, polis = (Agency.objects.get(code=c).pk for c in ("skv", "polis"))
    before = timezone.now() - timedelta(hours=1)
    assert usernames(User.objects.filter(member(skv, before, absolute))) == {"skv.staff"}
    assert [s for key, s in _statements.items() if key[0] == "test.absolute"] == [None]
    assert usernames(User.objects.filter(member(polis, before, absolute))) == {"polis.staff"}


def test_values_must_be_integers_or_aware_datetimes():
    _statements.clear()
    with pytest.raises(TypeError):
        sent(PreparedExists("test.membership", membership, agency="skv", since=timezone.now()))
