"""A world built once per module (tests/worlds.py) stays the same for every test: what one
test writes, in the database or on its copy of the objects, never reaches the next."""

import pytest

from network.models import User
from tests.conftest import Personas
from tests.worlds import built_once, fresh


def _build(persona):
    return {"staff": persona("skv", "staff"), "note": ["as built"]}


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker):
    with built_once(request, django_db_blocker, _build) as world:
        yield world


@pytest.fixture
def world(shared_world, db):
    return fresh(shared_world)


@pytest.fixture
def persona(world):
    return Personas(world["personas"])


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_starts_from_the_world_as_built(attempt, world, persona):
    staff = world["staff"]
    assert persona("skv", "staff") is staff  # the copy's users are the persona's users
    assert User.objects.get(pk=staff.pk).first_name == ""
    assert world["note"] == ["as built"]
    assert not User.objects.filter(username="polis.staff").exists()
    # Change everything a test can change; the next attempt must not see any of it.
    User.objects.filter(pk=staff.pk).update(first_name=f"Ändrad {attempt}")
    staff.first_name = f"Ändrad {attempt}"
    world["note"].append(attempt)
    persona("polis", "staff")


def test_a_test_without_the_copy_sees_the_world_too(shared_world, db):
    assert User.objects.filter(pk=shared_world["staff"].pk).exists()


def test_a_module_with_a_test_that_commits_is_refused(request, django_db_blocker):
    class Item:
        module = request.module
        nodeid = "tests/test_worlds.py::committing"
        fixturenames = ["transactional_db"]

        @staticmethod
        def get_closest_marker(_name):
            return None

    class Session:
        items = [Item()]

    class Request:
        session = Session()
        module = request.module

    with (
        pytest.raises(AssertionError, match="cannot serve tests that commit"),
        built_once(Request(), django_db_blocker, _build),
    ):
        pass
