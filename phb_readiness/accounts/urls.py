from django.urls import path

from phb_readiness.accounts import views

app_name = "accounts"
urlpatterns = [
    path("mfa/", views.mfa_status, name="mfa"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/remove/", views.mfa_remove, name="mfa_remove"),
]
