from django.contrib.auth import views as auth_views
from django.urls import include, path

from network import views
from network.forms import LoginForm

network_patterns = [
    path("katalog/", views.DirectoryView.as_view(), name="directory"),
    path("logg/", views.AuditEventListView.as_view(), name="audit_list"),
    path("logg/stickprov/", views.AuditSampleView.as_view(), name="audit_sample"),
    path("logg/<int:pk>/granskad/", views.AuditReviewView.as_view(), name="audit_review"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("django.contrib.auth.urls")),
    path("health/", views.health, name="health"),
    path("", include((network_patterns, "network"))),
]
