"""A second reference for benchmark d: Django's own stack for a signed-in request.

bench/bare.py is the server's limit: Django without middleware or database. This is what any
Django application with logins pays per request before it does anything of its own, served
by its own gunicorn in the same run (bench/http.py): akrim's settings (the database, Redis,
the user model, the installed apps) but the middleware `django-admin startproject` writes,
Django's stock `cached_db` session store and `ModelBackend`, and a view answering from
`request.user`. Like `/api/v1/me/` it reads one session (from the cache, the database on a
miss) and loads the user with one query; unlike it, it has none of akrim's own safeguards
(second factor, idle timeout, lockout, request id, CSP, language, outage answers) and no DRF.

`/me/ ÷ this` is then the share of Django's own floor akrim's stack keeps, and `this ÷ bare`
shows how much of the bare view's rate any Django view behind sessions and logins can reach
on this machine (docs/performance.md, "d: the stack per request").

    DJANGO_SETTINGS_MODULE=config.settings gunicorn bench.floor:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402

# Django 6.1's project template (django/conf/project_template/project_name/settings.py-tpl).
settings.MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

BACKEND = settings.AUTHENTICATION_BACKENDS[0]


def me(request):
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    return JsonResponse({"id": user.pk, "username": user.username})


urlpatterns = [path("floor/", me)]

application = get_wsgi_application()
