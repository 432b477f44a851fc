"""Sessions read from the shared cache (Redis), written to the database as before.

Every signed-in request loads its session; from the database that is a round trip to
PostgreSQL on every request (docs/performance.md, "d: per-request overhead"). This store is
Django's `cached_db` with three differences:

- A cache entry lives at most `AKRIM_SESSION_CACHE_SECONDS` (and never longer than the
  session row): whatever the cache and the database may come to disagree on — a logout or a
  login elsewhere while Redis could not be reached, a row changed by hand — lasts at most
  that long. The idle timeout is unchanged: the row's expiry is what `IdleSessionMiddleware`
  pushes forward, and the cache entry never outlives it.
- Redis being unreachable is never an error: the session is read from and written to the
  database alone, and the cache is not tried again for `PAUSE_SECONDS` in this process (each
  try at a stopped Redis costs the client's retries). Nobody is logged out by an outage of
  Redis (tests/network/test_sessions.py).
- On a cache miss the row is read by Django's database store itself (`db.SessionStore.load`),
  so a database outage while loading the session answers 503 as before (network/outage.py).

Only configured when Redis is (config/settings.py): the cache must be shared by every web
process, or a logout in one would leave the session alive in the others' memory. Without
REDIS_URL sessions stay in the database alone (the embedded default).
"""

import logging
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.core.cache import caches

log = logging.getLogger(__name__)

KEY_PREFIX = "akrim.session:"
PAUSE_SECONDS = 10
_paused_until = 0.0


def _cache_usable() -> bool:
    return time.monotonic() >= _paused_until


def _pause(error: Exception, doing: str) -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_SECONDS
    log.warning("sessions: the cache failed while %s (%s); database alone for now", doing, error)


def resume() -> None:
    """Try the cache again at the next use (tests)."""
    global _paused_until
    _paused_until = 0.0


class SessionStore(DatabaseStore):
    cache_key_prefix = KEY_PREFIX

    def __init__(self, session_key: str | None = None) -> None:
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        self._row_expiry: datetime | None = None
        super().__init__(session_key)

    @property
    def cache_key(self) -> str:
        key: str = self._get_or_create_session_key()  # type: ignore[attr-defined]  # not in the stubs
        return self.cache_key_prefix + key

    def _cache_timeout(self, expiry: datetime | None = None) -> int:
        return min(self.get_expiry_age(expiry=expiry), settings.AKRIM_SESSION_CACHE_SECONDS)

    def _cache_set(self, data: dict[str, Any], timeout: int) -> None:
        if not _cache_usable() or timeout <= 0:
            return
        try:
            self._cache.set(self.cache_key, data, timeout)
        except Exception as error:  # the cache client's connection errors vary by backend
            _pause(error, "saving a session")

    def _get_session_from_db(self) -> Session | None:
        row: Session | None = super()._get_session_from_db()  # type: ignore[misc]  # not in the stubs
        self._row_expiry = row.expire_date if row is not None else None
        return row

    def load(self) -> dict[str, Any]:
        if _cache_usable():
            try:
                cached = self._cache.get(self.cache_key)
            except Exception as error:
                _pause(error, "loading a session")
                cached = None
            if cached is not None:
                return dict(cached)
        data: dict[str, Any] = super().load()
        if data and self._row_expiry is not None:
            self._cache_set(data, self._cache_timeout(self._row_expiry))
        return data

    def save(self, must_create: bool = False) -> None:
        super().save(must_create)
        data: dict[str, Any] = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
        self._cache_set(data, self._cache_timeout())

    def delete(self, session_key: str | None = None) -> None:
        super().delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        if not _cache_usable():
            return  # a stale entry lasts at most AKRIM_SESSION_CACHE_SECONDS (module docstring)
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception as error:
            _pause(error, "deleting a session")

    def flush(self) -> None:
        self.clear()
        self.delete(self.session_key)
        self._session_key = None
