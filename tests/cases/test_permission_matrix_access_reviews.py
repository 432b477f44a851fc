"""Who may see and decide a break-the-glass review: relation x action -> answer.

A Skatteverket case is opened outside scope by a Polismyndigheten user (break-the-glass), so
the review lives with Polismyndigheten (`AccessReviewPolicy`, docs/access.md). "listed" /
"hidden": a 200 list with / without the review.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.coordination import services as case_services
from cases.coordination.models import AccessReview
from tests.matrix import Row

# The routes and the model are declared in tests/cases/test_permission_matrix.py (covers).

VIEWERS = {
    "own_agency": "polis.auditor",
    "other_agency": "skv.auditor",
    "no_capability": "polis.staff",  # the requester's agency, a role without review
    "own_access": "polis.auditor-staff",  # an auditor who broke the glass themselves
}
# relation -> api list, api detail, api review, html list, html decide
EXPECTED = {
    "own_agency": ("listed", 200, 200, "listed", 302),
    "other_agency": ("hidden", 404, 404, "hidden", 404),
    # as for referrals: the list refuses the role, one object is not in its scope (404)
    "no_capability": (403, 404, 404, 403, 403),
    "own_access": ("listed", 200, 403, "listed", 403),
}
ACTIONS = ["api_list", "api_detail", "api_review", "html_list", "html_decide"]
MATRIX = [
    Row(VIEWERS[relation], relation, action, expected)
    for relation in VIEWERS
    for action, expected in zip(ACTIONS, EXPECTED[relation], strict=True)
] + [
    Row("anonymous", "own_agency", "api_list", 401),
    Row("anonymous", "own_agency", "api_detail", 401),
    Row("anonymous", "own_agency", "html_list", 302),  # to the login page
]


def _answer(action, response, review):
    if response.status_code != 200 or not action.endswith("_list"):
        return response.status_code
    if action == "api_list":
        ids = [r["id"] for r in response.json()["results"]]
    else:
        ids = [r.pk for r in response.context["rows"]]
    return "listed" if review.pk in ids else "hidden"


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_access_review_matrix(row, persona, client):
    owner = persona("skv", "staff")
    case = case_services.open_case(title="Byggarbetsplats", actor=owner)
    requester = (
        persona("polis", "auditor", "staff")
        if row.relation == "own_access"
        else persona("polis", "staff")
    )
    case_services.break_the_glass(
        case, justification="Akut ingripande på arbetsplatsen i dag", actor=requester
    )
    review = AccessReview.objects.get()
    viewer = None
    if row.persona != "anonymous":
        agency, roles = row.persona.split(".")
        viewer = persona(agency, *roles.split("-"))
    api = APIClient()
    if viewer is not None:
        api.force_authenticate(viewer)
        client.force_login(viewer)
    verdict = {"verdict": "justified", "comment": "Befogat"}
    if row.action == "api_list":
        response = api.get(reverse("accessreview-list"))
    elif row.action == "api_detail":
        response = api.get(reverse("accessreview-detail", args=[review.pk]))
    elif row.action == "api_review":
        response = api.post(reverse("accessreview-review", args=[review.pk]), verdict)
    elif row.action == "html_list":
        response = client.get(reverse("cases:review_list"))
    else:
        response = client.post(reverse("cases:review_decide", args=[review.pk]), verdict)
    assert _answer(row.action, response, review) == row.expected
    review.refresh_from_db()
    decided = row.action in {"api_review", "html_decide"} and row.expected in {200, 302}
    assert (review.verdict != AccessReview.Verdict.PENDING) == decided
