from django.urls import path

from phb_readiness.inbox import views

app_name = "inbox"

urlpatterns = [
    path("inbox/", views.inbox, name="list"),
]
