"""Worlds built once per module (docs/testing.md, "Worlds built once per module").

A permission matrix asks one world hundreds of questions. Building that world for every row
costs most of the matrix's time, so a matrix module builds it once: `built_once` opens a
transaction around the whole module, builds the world in it and rolls it back after the
module's last test. Each test's own `db` transaction is then a savepoint inside it, so every
test still starts from the same untouched world and nothing it writes reaches the next.

What the world holds (model instances, users) is handed to each test as a deep copy
(`fresh`): a test may change its objects in memory, or Django may cache permissions and
memberships on them, without the next test seeing it. The copy is taken from the objects as
they were at the end of the build, as the per-row world returned them.

Only for modules whose tests all use `db` (one transaction each): a test that commits
(`transaction=True`, `live_server`) would commit or truncate inside the module's
transaction. `built_once` refuses to run where such a test is in the module.
"""

import copy
from contextlib import contextmanager

from django.db import connection, transaction
from django.test import override_settings

from tests.conftest import Personas

# The same as tests/conftest.py's _fast_passwords, for the users the world makes.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def files_in(directory) -> dict:
    """STORAGES with the default (private files) in `directory`."""
    from django.conf import settings

    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory)},
        },
    }


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    )
    return transactional or bool({"transactional_db", "live_server"} & set(item.fixturenames))


@contextmanager
def built_once(request, django_db_blocker, build, **settings):
    """Build `build(persona)` once inside a transaction that the module's tests share, and
    yield {"personas": {...}, **world}. `settings` stay overridden for the whole module (e.g.
    STORAGES for the files the world holds)."""
    module_items = [i for i in request.session.items if i.module is request.module]
    committing = [i.nodeid for i in module_items if _commits(i)]
    assert not committing, f"a world built once cannot serve tests that commit: {committing}"
    overridden = override_settings(
        PASSWORD_HASHERS=FAST_HASHERS,
        AKRIM_RATELIMIT_PREFIX=f"test:world:{request.module.__name__}:",
        **settings,
    )
    overridden.enable()
    try:
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                persona = Personas()
                world = build(persona)
                world = {"personas": persona.made, **world}
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield world
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                assert not connection.in_atomic_block, "the module's transaction is still open"
    finally:
        overridden.disable()


def fresh(world: dict) -> dict:
    """A test's own copy of the world (one deep copy, so objects that share a user still
    share it): nothing a test changes in memory reaches the next test."""
    return copy.deepcopy(world)
