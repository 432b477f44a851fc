"""`network.statements.Marks`: where a statement compiled once takes each call's values."""

from datetime import UTC, datetime

import pytest

from network.statements import Marks

NOW = datetime(1901, 2, 3, tzinfo=UTC)


def test_each_mark_is_replaced_where_it_stood_and_nothing_else():
    marks = Marks(["x", -7, True, NOW, -7, 1], {"user": -7, "now": NOW}, {"user": 2, "now": 1})
    assert marks.fill(user=42, now="t") == ["x", 42, True, "t", 42, 1]
    assert marks.params == ["x", -7, True, NOW, -7, 1]  # the template is left as it was


def test_a_mark_matches_only_a_parameter_of_its_own_type():
    # True == 1 in Python; a mark of 1 must not take the boolean's place.
    marks = Marks([True, 1], {"flag": 1}, {"flag": 1})
    assert marks.fill(flag=5) == [True, 5]


def test_a_statement_whose_marks_are_not_as_expected_is_refused():
    with pytest.raises(ValueError, match="not as expected"):
        Marks([-7], {"user": -7}, {"user": 2})
    with pytest.raises(ValueError, match="not as expected"):
        Marks([-7, -9], {"user": -7, "device": -9}, {"user": 1, "device": 0})
