from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportHomeView.as_view(), name="report_home"),
    path("begar/", views.RequestBuildView.as_view(), name="request_build"),
    path("<int:pk>/", views.BuildDetailView.as_view(), name="build_detail"),
    path("<int:pk>/ladda-ned/<str:fmt>/", views.DownloadView.as_view(), name="download"),
    path("traffsakerhet/", views.HitRateView.as_view(), name="hit_rate"),
    path("rapport/<int:year>/", views.AnnualReportView.as_view(), name="annual_report"),
    path("historik/", views.PublishedHistoryView.as_view(), name="published_history"),
    path("<int:year>/oppna-data/", views.OpenDataView.as_view(), name="open_data"),
    path("<int:year>/oppna-data/<str:name>", views.OpenDataView.as_view(), name="open_data_file"),
]
