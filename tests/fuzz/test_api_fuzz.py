"""Issue 9 item 4: schemathesis fuzzes every operation of /api/v1/schema/ as two personas.

The insider (`av` staff and coordinator) works in a world full of its own data; the outsider
(`fk` staff) sees none of it (tests/fuzz/world.py). For each generated request, positive and
negative data, the response must:

- not be a server error, and conform to the schema (a declared status, content type and
  body);
- name the field when it is a 400;
- carry no canary of an object outside the caller's scope, whatever the endpoint (lists,
  exports, error messages included);
- be 404 when the path names an object outside the caller's scope.

Path parameters are drawn mostly from the world's real ids (visible and invisible ones), so
the fuzzer reaches the code behind `get_object()` instead of 404-ing on random numbers.

The operations come from the schema at run time, so new endpoints are fuzzed as they appear.
They run in a few shards per persona (one world each, so the shards balance over xdist's
workers); a shard reports every failing operation, not just the first. Hypothesis is
derandomized and bounded: the same examples on every run, about a minute of CPU in all.
"""

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from config.wsgi import application
from tests.fuzz import oracle
from tests.fuzz.world import PUBLIC_RESOURCES, canary

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MAX_EXAMPLES = 10  # per operation, persona and generation mode

# Shards by the path's first segment; "rest" takes every other segment (new ones too).
SHARDS = {
    "cases": {"cases", "employers", "access-reviews"},
    "referrals": {"referrals", "tips"},
    "inspections": {"inspections", "findings", "follow-ups", "operations"},
}

_schema = None


def load_schema():
    """The schema as the server publishes it (once per worker: generating it takes ~2 s)."""
    global _schema
    if _schema is None:
        _schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)

        @_schema.hook("flatmap_path_parameters")
        def real_ids(context, path_parameters):
            return oracle.path_parameters_strategy(context.operation.path, path_parameters)

    return _schema


def in_shard(path: str, shard: str) -> bool:
    resource = oracle.resource_of(path)
    if shard == "rest":
        return not any(resource in members for members in SHARDS.values())
    return resource in SHARDS[shard]


def fuzz(operation, mode, headers, checks) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def run(case):
        # Each request in its own savepoint, as its own transaction would be in production:
        # a database error in one request must not poison the test's transaction for the
        # requests after it.
        with transaction.atomic():
            # REMOTE_ADDR as a real WSGI server always sets it.
            response = case.call(headers=headers, environ_overrides={"REMOTE_ADDR": "127.0.0.1"})
        case.validate_response(response, checks=checks, headers=headers)

    run()


@pytest.mark.parametrize("shard", [*SHARDS, "rest"])
@pytest.mark.parametrize("who", ["insider", "outsider"])
def test_fuzz_api(who, shard, world, token_of, wsgi_keeps_db_connection):
    schema = load_schema()
    user = getattr(world, who)
    headers = token_of(user)
    checks = [
        not_a_server_error,
        status_code_conformance,  # every 4xx declared (network/api/schema.py)
        response_schema_conformance,
        content_type_conformance,
        oracle.bad_request_names_a_field,
        oracle.no_object_outside_scope(world, user),
        oracle.out_of_scope_is_404(world, user),
    ]
    failures, fuzzed = [], 0
    with oracle.current(world):
        for result in schema.get_all_operations():
            operation = result.ok()
            if not in_shard(operation.path, shard):
                continue
            fuzzed += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    fuzz(operation, mode, headers, checks)
                except Unsatisfiable:
                    # Nothing in this operation can be made invalid (negative mode), e.g. a
                    # path parameter that accepts any string: no request, nothing to check.
                    continue
                except (Exception, BaseExceptionGroup) as exc:  # every failing operation counts
                    failures.append(f"--- {operation.label} ({mode.value}) ---\n{exc}")
    assert fuzzed, f"no operation in shard {shard!r}"
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)


def test_every_object_path_has_a_scope(wsgi_keeps_db_connection):
    """A path naming an object must say which scoped model answers for it (oracle's
    RESOURCE_MODELS), or be public reference data: otherwise the 404 check would silently
    skip a new endpoint."""
    unknown = sorted(
        operation.path
        for result in load_schema().get_all_operations()
        if "{" in (operation := result.ok()).path
        and oracle.resource_of(operation.path) not in {*oracle.RESOURCE_MODELS, *PUBLIC_RESOURCES}
    )
    assert not unknown, f"add these resources to tests/fuzz/oracle.py RESOURCE_MODELS: {unknown}"


def test_personas_reach_the_api_as_the_fuzz_does(world, token_of, wsgi_keeps_db_connection):
    """The fuzz would pass vacuously if its callers were turned away (401/403 everywhere, a
    2FA gate, a lockout): through the same in-process WSGI path, the insider sees its case
    and the outsider gets a 200 list without it."""
    client = Client(application)
    environ = {"REMOTE_ADDR": "127.0.0.1"}
    seen = {}
    for who in ("insider", "outsider"):
        headers = {"Host": "localhost", **token_of(getattr(world, who))}
        me = client.get("/api/v1/me/", headers=headers, environ_overrides=environ)
        assert me.status_code == 200, (who, me.status_code, me.data[:200])
        cases = client.get("/api/v1/cases/", headers=headers, environ_overrides=environ)
        assert cases.status_code == 200, (who, cases.status_code)
        seen[who] = canary("case") in cases.get_data(as_text=True)
    assert seen == {"insider": True, "outsider": False}
