from django.urls import path

from phb_readiness.reports import views

app_name = "reports"
urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("sites/<str:code>/checklist.xlsx", views.site_checklist_xlsx, name="site_checklist_xlsx"),
    path("sites/<str:code>/checklist-template.xlsx", views.site_checklist_template, name="site_checklist_template"),
    path("reports/", views.report_list, name="list"),
    path("reports/national/", views.request_national, name="request_national"),
    path("reports/verify/", views.verify, name="verify"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/retry/", views.report_retry_view, name="retry"),
    path("reports/<int:pk>/download/", views.report_download, name="download"),
    path("assessments/<int:pk>/report/", views.request_site, name="request_site"),
]
