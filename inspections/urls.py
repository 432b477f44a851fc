from django.urls import path
from django.views.generic import TemplateView

app_name = "inspections"

# The HTML pages of joint controls are being built; the names exist for links and e-mails.
urlpatterns = [
    path("", TemplateView.as_view(template_name="404.html"), name="inspection_list"),
    path("<int:pk>/", TemplateView.as_view(template_name="404.html"), name="inspection_detail"),
]
