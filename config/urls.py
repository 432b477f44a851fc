"""Top-level URLs: the HTML UI, the admin, and the v1 API."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from network.api.schema_views import DocsView, SchemaView

urlpatterns = [
    # The API first: a path is tried against the patterns in order, and an API call is
    # the most frequent request; before, each one was first tried against every page's
    # pattern (docs/performance.md, "d: the stack per request"). No page's pattern
    # matches a path under api/v1/, so the order changes no answer.
    path("api/v1/", include("network.api.urls")),
    path("api/v1/", include("cases.api_urls")),
    path("api/v1/", include("inspections.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    # Signed-in users only in production (network.api.schema_views).
    path("api/v1/schema/", SchemaView.as_view(), name="schema"),
    path("api/v1/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("", include("network.urls")),
    path("arenden/", include("cases.coordination.urls")),
    path("kontroller/", include("inspections.urls")),
    path("hanvisningar/", include("cases.referrals.urls")),
    path("lagesbild/", include("reports.urls")),
    path("tips/", include("cases.tips.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # One login for everyone: the admin's own form would skip the rate limits and 2FA pages.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]

if settings.AKRIM_OIDC:  # single sign-on with an agency's identity provider (network.oidc)
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

handler400 = "network.views.bad_request"
handler403 = "network.views.permission_denied"
handler404 = "network.views.page_not_found"
handler500 = "network.outage.server_error"
