from django.urls import path
from django.views.generic import TemplateView

app_name = "referrals"

# Placeholder until the referral pages land (being written now).
urlpatterns = [
    path("", TemplateView.as_view(template_name="404.html"), name="referral_list"),
]
