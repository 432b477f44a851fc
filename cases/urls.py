from django.urls import path
from django.views.generic import TemplateView

app_name = "cases"

# Placeholder until the HTML views land (being written now).
urlpatterns = [
    path("", TemplateView.as_view(template_name="404.html"), name="case_list"),
    path("granskning/", TemplateView.as_view(template_name="404.html"), name="review_list"),
]
