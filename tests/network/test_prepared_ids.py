"""`network.querysets.PreparedIds`: a scope's subquery compiled once per process, sent with
each call's values (docs/performance.md, "First pages").

What must hold: the statement sent is, byte for byte, the one the ORM compiles for this
call's values (so the cache changes the cost, never the answer); a second call does not
reuse the first call's values; where the marks cannot be found among the compiled
parameters the statement is compiled per call and still answers right."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from network.models import Agency, Membership, User
from network.querysets import PreparedIds, _statements

pytestmark = pytest.mark.django_db


def members(agency: int, since) -> object:
    """Users of `agency` whose membership was made after `since`."""
    return Membership.objects.filter(agency_id=agency, created_at__gt=since).values("user_id")


def shifted(agency: int, since) -> object:
    """The same, with the agency passed through abs(): right for every agency (ids are
    positive), but the negative mark is not among the compiled parameters."""
    return members(abs(agency), since)


def users_in(expression: PreparedIds) -> set[str]:
    return set(User.objects.filter(pk__in=expression).values_list("username", flat=True))


def sent(expression: PreparedIds) -> tuple[str, tuple]:
    compiler = User.objects.all().query.get_compiler(connection=connection)
    sql, params = expression.as_sql(compiler, connection)
    return sql, tuple(params)


def orm(build, **values) -> tuple[str, tuple]:
    sql, params = build(**values).order_by().query.get_compiler(connection=connection).as_sql()
    return f"({sql})", tuple(params)


def test_the_statement_sent_is_the_orms_for_this_calls_values(persona):
    _statements.clear()
    skv, polis = (Agency.objects.get(code=c).pk for c in ("skv", "polis"))
    now = timezone.now()
    for agency, since in [(skv, now), (polis, now - timedelta(days=3)), (skv, now)]:
        expression = PreparedIds("test.members", members, agency=agency, since=since)
        assert sent(expression) == orm(members, agency=agency, since=since)
    # One statement compiled, and it is the one used (the marks were found).
    (statement,) = (s for key, s in _statements.items() if key[0] == "test.members")
    if connection.vendor == "postgresql":
        assert statement is not None


def test_each_call_answers_with_its_own_values(persona):
    _statements.clear()
    persona("skv", "staff")
    persona("polis", "staff")
    skv, polis = (Agency.objects.get(code=c).pk for c in ("skv", "polis"))
    before = timezone.now() - timedelta(hours=1)
    assert users_in(PreparedIds("test.members", members, agency=skv, since=before)) == {
        "skv.staff"
    }
    assert users_in(PreparedIds("test.members", members, agency=polis, since=before)) == {
        "polis.staff"
    }
    later = timezone.now() + timedelta(hours=1)
    assert users_in(PreparedIds("test.members", members, agency=skv, since=later)) == set()


def test_without_marks_the_statement_is_compiled_per_call(persona):
    _statements.clear()
    persona("skv", "staff")
    persona("polis", "staff")
    skv, polis = (Agency.objects.get(code=c).pk for c in ("skv", "polis"))
    before = timezone.now() - timedelta(hours=1)
    # A build that does arithmetic on the value: the compiled parameters hold no mark.
    expression = PreparedIds("test.shifted", shifted, agency=skv, since=before)
    assert users_in(expression) == {"skv.staff"}
    assert [s for key, s in _statements.items() if key[0] == "test.shifted"] == [None]
    assert users_in(PreparedIds("test.shifted", shifted, agency=polis, since=before)) == {
        "polis.staff"
    }


def test_values_must_be_integers_or_aware_datetimes():
    _statements.clear()
    expression = PreparedIds("test.members", members, agency="skv", since=timezone.now())
    with pytest.raises(TypeError):
        sent(expression)
