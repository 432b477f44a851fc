"""Every query parameter of every GET operation, with what an outside probe sends there: a
NUL byte, overlong text, wrong types, out-of-range numbers and dates. As the insider and the
outsider of tests/fuzz/world.py, no answer may be a server error, its status must be one
the schema declares for that operation (network/api/schema.py), and a 400 must name a field.

Complements test_api_fuzz.py: schemathesis draws query values from the schema's types and
seldom reaches these. The operations and their parameters come from the schema at run time,
so a new list or filter is probed as soon as it exists.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.fuzz import oracle

pytestmark = pytest.mark.django_db

PROBES = [
    "\x00",
    "ab\x00cd",
    "x" * 5000,
    "abc",
    "-1",
    "1e400",
    "9" * 30,
    "2026-13-45",
    "[]",
    " ",
]


def get_operations() -> list[tuple[str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, operations["get"])
        for path, operations in sorted(schema["paths"].items())
        if "get" in operations
        and any(p["in"] == "query" for p in operations["get"].get("parameters", []))
    ]


def concrete(path: str, world) -> str:
    """The path with the world's first (insider-visible) id for each parameter."""
    resource = oracle.resource_of(path)

    def fill(match):
        name = match.group(1)
        key = resource if name in {"id", "code"} else f"{resource}.{name}"
        return str(world.ids.get(key, [1])[0])

    return re.sub(r"\{(\w+)\}", fill, path)


def test_the_probe_reaches_the_filtered_lists():
    paths = {path for path, _operation in get_operations()}
    assert {"/api/v1/tips/", "/api/v1/risk/candidates/", "/api/v1/cases/export/"} <= paths


@pytest.mark.parametrize("who", ["insider", "outsider"])
def test_no_query_parameter_value_makes_a_server_error_or_an_undeclared_status(world, api, who):
    client = api.as_user(getattr(world, who))
    client.raise_request_exception = False
    failures, sent = [], 0
    for path, operation in get_operations():
        url = concrete(path, world)
        declared = set(operation["responses"])
        for parameter in operation["parameters"]:
            if parameter["in"] != "query":
                continue
            for value in PROBES:
                response = client.get(url, {parameter["name"]: value})
                sent += 1
                status = response.status_code
                problem = None
                if status >= 500:
                    problem = "server error"
                elif str(status) not in declared:
                    problem = f"undeclared status (declared {sorted(declared)})"
                elif status == 400 and not response.json():
                    problem = "400 without a field"
                if problem:
                    failures.append(
                        f"{path} ?{parameter['name']}={value[:20]!r}: {status} {problem}"
                    )
    assert sent > 100
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:60])
