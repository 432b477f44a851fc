"""The limit for benchmark d: a bare Django view with no middleware and no database.

Served by its own gunicorn (the same workers as akrim) in the same run as akrim's
endpoints (bench/http.py), it answers what `/api/v1/me/` answers, from constants: what is
left of a request when akrim's middleware, authentication and queries are taken away is
Django's and gunicorn's own cost, the ceiling for any endpoint on this machine.

    gunicorn bench.bare:application
"""

import os

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-bare"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402 (after configure)
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def me(request):
    return JsonResponse({"username": "bench", "agency": "skv", "roles": ["staff"]})


urlpatterns = [path("bare/", me)]

application = get_wsgi_application()
