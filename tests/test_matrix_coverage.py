"""Fails when a protected model or an API route has no permission matrix (STYLE.md "Tests")."""

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from network.querysets import protected_models
from tests import matrix

# Routes that are not scoped data, each with the reason.
EXEMPT_ROUTES = {
    "api-token": "login endpoint, no data",
    "api-me": "the caller's own identity",
    "agency-list": "reference data open to every signed-in user",
    "agency-detail": "reference data open to every signed-in user",
}


def _load_all_matrices():
    root = Path(__file__).parent
    # Every test module that declares coverage, whatever its name (tips keep theirs in
    # test_tips.py): the check must not depend on which modules this run collected.
    for path in root.rglob("test_*.py"):
        if "covers(" not in path.read_text(encoding="utf-8") or path == Path(__file__):
            continue
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        importlib.import_module(module)


def _api_route_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_route_names(pattern, route)
        elif (
            isinstance(pattern, URLPattern)
            and route.startswith("api/v1/")
            and pattern.name
            and pattern.name not in {"schema", "api-docs"}
        ):
            yield pattern.name


def test_every_protected_model_has_a_permission_matrix():
    _load_all_matrices()
    labels = {model._meta.label_lower for model in protected_models()}
    assert labels, "no protected models found: visible_to discovery is broken"
    assert labels - matrix.COVERED_MODELS == set()


def test_every_api_route_has_a_permission_matrix_or_a_reason():
    _load_all_matrices()
    routes = set(_api_route_names())
    assert "auditevent-list" in routes
    assert routes - matrix.COVERED_ROUTES - set(EXEMPT_ROUTES) == set()
