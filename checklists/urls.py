"""URLs of the checklist pages: `urlpatterns` under the `checklists` namespace, `partnership_urlpatterns` (comments,
concerns, sign-offs, review outcomes, activity, preferences) under the `partnership` namespace."""

from django.urls import path

from checklists.views import (
    activity,
    comments,
    evidence,
    imports,
    overview,
    preferences,
    responses,
    review,
    rounds,
    signoffs,
)

app_name = "checklists"
urlpatterns = [
    path("assessments/<int:pk>/", overview.assessment_view, name="assessment"),
    path("assessments/<int:pk>/items/<str:code>/", responses.item_view, name="item"),
    path("assessments/<int:pk>/items/<str:code>/evidence/", evidence.evidence_add, name="evidence_add"),
    path("assessments/<int:pk>/submit/", review.submit_view, name="submit"),
    path("assessments/<int:pk>/import/", imports.import_upload, name="import_upload"),
    path("assessments/<int:pk>/import/<int:import_pk>/", imports.import_preview, name="import_preview"),
    path("evidence/<int:pk>/remove/", evidence.evidence_remove_view, name="evidence_remove"),
    path("evidence/<int:pk>/download/", evidence.evidence_download, name="evidence_download"),
]

# Included by the project's URLconf as include((partnership_urlpatterns, "partnership")).
partnership_urlpatterns = [
    path("assessments/<int:pk>/items/<str:code>/comments/", comments.comment_create, name="comment_create"),
    path(
        "assessments/<int:pk>/items/<str:code>/concerns/",
        comments.comment_create,
        {"concern": True},
        name="concern_create",
    ),
    path("assessments/<int:pk>/concerns/<int:comment_id>/answer/", comments.concern_answer, name="concern_answer"),
    path("assessments/<int:pk>/concerns/<int:comment_id>/close/", comments.concern_close, name="concern_close"),
    path(
        "assessments/<int:pk>/concerns/<int:comment_id>/reopen/",
        comments.concern_transition,
        {"action": "reopen"},
        name="concern_reopen",
    ),
    path("assessments/<int:pk>/sections/<str:section_code>/signoff/", signoffs.signoff, name="signoff"),
    path("assessments/<int:pk>/signoffs/", signoffs.register, name="register"),
    path("assessments/<int:pk>/review/", review.review, name="review"),
    path("assessments/<int:pk>/queries/<int:query_id>/answer/", review.query_answer, name="query_answer"),
    path("assessments/<int:pk>/queries/<int:query_id>/resolve/", review.query_resolve, name="query_resolve"),
    path("assessments/<int:pk>/new-round/", review.new_round, name="new_round"),
    path("sites/<str:code>/concerns/", comments.site_concerns, name="concerns"),
    path("sites/<str:code>/activity/", activity.activity, name="activity"),
    path("sites/<str:code>/rounds/", rounds.compare, name="rounds"),
    path("account/notifications/", preferences.preferences, name="preferences"),
]
