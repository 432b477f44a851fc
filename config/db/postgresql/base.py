"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS (config/env.py) Django runs `SELECT 1` on a kept-alive connection
before its first query in each request, so that a connection killed by a restart of
PostgreSQL is replaced instead of failing the request (tests/faults/test_database_outage.py).
That is one round trip more on every request, a quarter of what a signed-in API request
sent to the database (docs/performance.md, "d: per-request overhead").

A server that ends a connection (restart, stop, `pg_terminate_backend`, idle timeout) sends
its error message and closes the socket, so the socket turns readable; an idle healthy
connection has nothing to read. Here the socket is polled without waiting, and only when
something is there does Django's `SELECT 1` decide whether the connection is still usable.
A peer that vanished without a word (a cable cut) is not noticed by either check before the
query itself fails; the outage middleware answers 503 then (network/outage.py).
"""

import select

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        enabled: bool = self.health_check_enabled  # type: ignore[attr-defined]  # not in the stubs
        if self.connection is None or not enabled or self.health_check_done:
            return
        try:
            readable, _w, _x = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError, psycopg.Error):  # closed or broken descriptor
            readable = [True]
        if readable:
            super().close_if_health_check_failed()  # Django's SELECT 1, closing if it fails
        self.health_check_done: bool = True
