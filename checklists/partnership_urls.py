"""URLs of the partnership features: comments, concerns, sign-offs, review outcomes, activity."""

from django.urls import path

from checklists import partnership_views as views

app_name = "partnership"
urlpatterns = [
    path("assessments/<int:pk>/items/<str:code>/comments/", views.comment_create, name="comment_create"),
    path(
        "assessments/<int:pk>/items/<str:code>/concerns/",
        views.comment_create,
        {"concern": True},
        name="concern_create",
    ),
    path("assessments/<int:pk>/concerns/<int:comment_id>/answer/", views.concern_answer, name="concern_answer"),
    path(
        "assessments/<int:pk>/concerns/<int:comment_id>/close/",
        views.concern_transition,
        {"action": "close"},
        name="concern_close",
    ),
    path(
        "assessments/<int:pk>/concerns/<int:comment_id>/reopen/",
        views.concern_transition,
        {"action": "reopen"},
        name="concern_reopen",
    ),
    path("assessments/<int:pk>/sections/<str:section_code>/signoff/", views.signoff, name="signoff"),
    path("assessments/<int:pk>/signoffs/", views.register, name="register"),
    path("assessments/<int:pk>/review/", views.review, name="review"),
    path("assessments/<int:pk>/new-round/", views.new_round, name="new_round"),
    path("sites/<str:code>/concerns/", views.site_concerns, name="concerns"),
    path("sites/<str:code>/activity/", views.activity, name="activity"),
    path("account/notifications/", views.preferences, name="preferences"),
]
