"""What the fuzz asserts beyond schemathesis' own checks, and where its path ids come from.

Each check has schemathesis' signature `(ctx, response, case)` and raises AssertionError
with a message that says what leaked or what was wrong.
"""

import re
from contextlib import contextmanager

from hypothesis import strategies as st

from cases.coordination.models import AccessReview, Case
from cases.referrals.models import VictimReferral
from cases.tips.models import Tip
from inspections.models import ControlOperation, Finding, FollowUp, ImportJob, Inspection
from network.models import AuditEvent
from reports.models import ReportBuild

# The scoped model behind the first path segment of /api/v1/<segment>/{id}/...
RESOURCE_MODELS = {
    "access-reviews": AccessReview,
    "audit-events": AuditEvent,
    "cases": Case,
    "findings": Finding,
    "follow-ups": FollowUp,
    "inspection-imports": ImportJob,
    "inspections": Inspection,
    "operations": ControlOperation,
    "referrals": VictimReferral,
    "reports": ReportBuild,
    "tips": Tip,
}

_PREFIX = re.compile(r"^/api/v1/([^/]+)/")


def resource_of(path: str) -> str:
    match = _PREFIX.match(path)
    return match.group(1) if match else ""


_world = None


@contextmanager
def current(world):
    """The world whose ids the schema's path-parameter hook draws from."""
    global _world
    _world = world
    try:
        yield
    finally:
        _world = None


def path_parameters_strategy(path: str, generated: dict):
    """Mostly the world's ids for each path parameter (visible and invisible to the
    caller), sometimes what schemathesis generated (random, usually missing)."""
    world = _world
    if world is None or not generated:
        return st.just(generated)
    resource = resource_of(path)
    drawn = {}
    for name, value in generated.items():
        key = resource if name in {"id", "code"} else f"{resource}.{name}"
        ids = world.ids.get(key)
        drawn[name] = st.sampled_from([*ids, value]) if ids else st.just(value)
    return st.fixed_dictionaries(drawn)


def _text(response) -> str:
    return response.content.decode("utf-8", "replace") if response.content else ""


def no_object_outside_scope(world, user):
    """No response to `user` contains a canary of an object `user` cannot see."""
    every = {text for secret in world.secrets for text in secret.strings}

    def no_object_outside_scope(ctx, response, case):
        body = _text(response)
        present = [text for text in every if text in body]
        if not present:
            return
        hidden = world.forbidden_for(user)
        leaked = sorted(
            f"{hidden[text].model.__name__} #{hidden[text].pk} ({text})"
            for text in present
            if text in hidden
        )
        assert not leaked, (
            f"{user.username} received objects outside its scope: {', '.join(leaked)}"
        )
        return

    return no_object_outside_scope


def out_of_scope_is_404(world, user):
    """A path naming an object outside the caller's scope answers 404 (DESIGN.md: its
    existence is not revealed), whatever the method and body."""

    def out_of_scope_is_404(ctx, response, case):
        model = RESOURCE_MODELS.get(resource_of(case.operation.path))
        pk = (case.path_parameters or {}).get("id")
        if model is None or not isinstance(pk, int):
            return
        if pk in world.hidden_ids(user, model):
            assert response.status_code == 404, (
                f"{user.username} got {response.status_code}, not 404, for "
                f"{model.__name__} #{pk} outside its scope"
            )
        return

    return out_of_scope_is_404


def _resolve(raw_schema: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = raw_schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def request_fields(case) -> set[str]:
    """Names a 400 may use: the request's fields (body properties, query and path
    parameters) and the fields of the object it acts on (a state error names `status`)."""
    operation = case.operation.definition.raw
    raw_schema = case.operation.schema.raw_schema
    names = {p["name"] for p in operation.get("parameters", []) if "name" in p}
    bodies = list(operation.get("requestBody", {}).get("content", {}).values())
    for status, response in operation.get("responses", {}).items():
        if status.startswith("2"):
            bodies += list(_resolve(raw_schema, response).get("content", {}).values())
    for media in bodies:
        body = _resolve(raw_schema, media.get("schema", {}))
        if body.get("type") == "array":
            body = _resolve(raw_schema, body.get("items", {}))
        names |= set(body.get("properties", {}))
    return names


def bad_request_names_a_field(ctx, response, case):
    """DESIGN.md: 400 is `{"field": ["message"]}`. Every key of a 400 body is a field of the
    request (or `non_field_errors` for the request as a whole), never a bare `detail`."""
    if response.status_code != 400:
        return
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"400 without a JSON body: {_text(response)[:200]!r}") from None
    assert isinstance(body, dict), f"400 body is not a field mapping: {body!r}"
    assert body, f"400 body is not a field mapping: {body!r}"
    allowed = request_fields(case) | {"non_field_errors"}
    # A row of a list field is named with its index, e.g. `counts[1]`: the field is `counts`.
    unknown = sorted(key for key in body if re.sub(r"\[\d+\]$", "", key) not in allowed)
    assert not unknown, (
        f"400 names {unknown}, not a field of the request ({sorted(allowed)}): {body!r}"
    )
    return
