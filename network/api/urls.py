from django.urls import path
from rest_framework.routers import SimpleRouter

from network.api import views

router = SimpleRouter()
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("audit-events", views.AuditEventViewSet, basename="auditevent")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
