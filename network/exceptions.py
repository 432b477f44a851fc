"""Domain exceptions that services raise and the API and views translate."""


class StaleVersion(Exception):
    """The object changed after the caller read it (optimistic locking). API: 409."""

    def __init__(self, current_version: int | None = None):
        super().__init__(f"stale version; current is {current_version}")
        self.current_version = current_version
