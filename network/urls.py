from django.contrib.auth import views as auth_views
from django.urls import include, path

from network import auth_views as signin
from network import views

network_patterns = [
    path("katalog/", views.DirectoryView.as_view(), name="directory"),
    path("logg/", views.AuditEventListView.as_view(), name="audit_list"),
    path("logg/stickprov/", views.AuditSampleView.as_view(), name="audit_sample"),
    path("logg/<int:pk>/granskad/", views.AuditReviewView.as_view(), name="audit_review"),
    path("konto/api-nycklar/", views.TokenListView.as_view(), name="token_list"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", signin.LoginView.as_view(), name="login"),
    path("login/kod/", signin.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("login/tvastegs/", signin.TwoFactorEnrolView.as_view(), name="two_factor_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_reset/", signin.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    path("health/", views.health, name="health"),
    path("", include((network_patterns, "network"))),
]
