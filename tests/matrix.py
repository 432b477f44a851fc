"""Permission matrices as data: role x relation to the object x action -> expected status.

Each app's matrix module calls `covers(...)` for the protected models and API routes it
checks; tests/test_matrix_coverage.py fails when a protected model (one whose manager has
`visible_to`) or an API route is covered by no matrix.
"""

from dataclasses import dataclass

COVERED_MODELS: set[str] = set()
COVERED_ROUTES: set[str] = set()


@dataclass(frozen=True)
class Row:
    persona: str  # e.g. "skv.auditor", or "anonymous"
    relation: str  # the object's relation to the persona, e.g. "own_agency", "other_agency"
    action: str  # e.g. "api_list", "api_retrieve", "html_list", "admin_change"
    expected: int

    def __str__(self) -> str:
        return f"{self.persona}-{self.relation}-{self.action}-{self.expected}"


def covers(*, models: list[str], routes: list[str]) -> None:
    COVERED_MODELS.update(models)
    COVERED_ROUTES.update(routes)
