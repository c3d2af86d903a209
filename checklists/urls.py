from django.urls import path

from checklists.views import evidence, item, overview, submit

app_name = "checklists"
urlpatterns = [
    path("assessments/<int:pk>/", overview.assessment_view, name="assessment"),
    path("assessments/<int:pk>/items/<str:code>/", item.item_view, name="item"),
    path("assessments/<int:pk>/items/<str:code>/evidence/", evidence.evidence_add, name="evidence_add"),
    path("assessments/<int:pk>/submit/", submit.submit_view, name="submit"),
    path("evidence/<int:pk>/remove/", evidence.evidence_remove_view, name="evidence_remove"),
    path("evidence/<int:pk>/download/", evidence.evidence_download, name="evidence_download"),
]
