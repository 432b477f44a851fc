import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from network.tokens import issue_token
from tests.fuzz.world import build_world


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploads made by the world and by the fuzzer land in a throwaway directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


@pytest.fixture
def wsgi_keeps_db_connection():
    """schemathesis calls the WSGI app in-process, which fires request_started/finished;
    Django's handler would then close the test's connection (and its open transaction).
    Django's own test Client disconnects the same signal for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(persona, private_storage, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return build_world(persona)


@pytest.fixture
def token_of():
    def make(user) -> dict[str, str]:
        token = issue_token(user, two_factor=True, actor=None)
        return {"Authorization": f"Token {token}"}

    return make
