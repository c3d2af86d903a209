"""URLs of the partnership features: comments, concerns, sign-offs, review outcomes, activity."""

from django.urls import path  # noqa: F401

app_name = "partnership"
urlpatterns: list = []
