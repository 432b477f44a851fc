"""Where a referral can come from, beyond "other".

A referral made at a joint inspection links to that inspection, but `cases` may not import
`inspections` (arrows point one way). The inspections app registers a resolver here at start
-up; the referral API asks it to check that the caller may see the inspection and to give
the reference to record.
"""

from collections.abc import Callable

# name -> resolve(user, value) -> reference to record; raises ValidationError if not allowed
_RESOLVERS: dict[str, Callable] = {}


def register(name: str, resolve: Callable) -> None:
    _RESOLVERS[name] = resolve


def resolve(name: str, user, value) -> str:
    if name not in _RESOLVERS:
        raise LookupError(f"No referral origin {name!r} is registered")
    return _RESOLVERS[name](user, value)


def available() -> set[str]:
    return set(_RESOLVERS)
