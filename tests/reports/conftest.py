import pytest
from django.urls import reverse  # noqa: F401

from reports import services


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


@pytest.fixture
def av_analyst(persona):
    return persona("av", "analyst")


@pytest.fixture
def ready(av_analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build, _created = services.request_build(year=2025, actor=av_analyst)
    build.refresh_from_db()
    assert build.status == "ready", build.error
    return build
