"""Where a statement compiled once per process takes each call's values.

Several reads on every request (the signed-in user's statement and capabilities in
network/backends.py, the case list's read basis in cases/coordination/policies.py) are the
ORM's own statements compiled once per process, because building and compiling them cost
more Python than the round trip that sends them (docs/performance.md, "d: per-request
overhead"). Each is compiled with marks, values no row has, where the call's values go;
`Marks` finds them among the compiled parameters, checks how often each occurs, and puts
the values in their place for each call. A mark matches a parameter of its own type only
(as in network.querysets.PreparedExists), so that `True` is never taken for `1`.
"""

from collections.abc import Sequence
from typing import Any


class Marks:
    def __init__(self, params: Sequence[Any], marks: dict[str, Any], counts: dict[str, int]):
        """`marks`: name -> the mark compiled in its place; `counts`: name -> how many times
        it must occur (ValueError otherwise: the statement is not what its author meant)."""
        self.params = list(params)
        self.positions = {
            name: [i for i, p in enumerate(self.params) if type(p) is type(mark) and p == mark]
            for name, mark in marks.items()
        }
        found = {name: len(at) for name, at in self.positions.items()}
        if found != counts:
            raise ValueError(f"the compiled statement's marks are not as expected: {found}")

    def fill(self, **values: Any) -> list[Any]:
        """The parameters for one call, each mark replaced by its value."""
        params = list(self.params)
        for name, value in values.items():
            for i in self.positions[name]:
                params[i] = value
        return params
