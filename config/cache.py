"""Django's Redis cache with one client object per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation; building it
fills its table of some 170 response callbacks, about 0.5 ms of Python on this machine, on
every request that reads its session from Redis (network/sessions.py, docs/performance.md
"d: per-request overhead"). The client object holds no connection of its own (the pool
does, and is thread-safe), so one per pool serves every thread of the process.
"""

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
