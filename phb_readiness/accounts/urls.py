from django.contrib.auth import views as auth_views
from django.urls import path

from phb_readiness.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("mfa/", views.mfa_status, name="mfa"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/remove/", views.mfa_remove, name="mfa_remove"),
    path("mfa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("mfa/recovery-codes/new/", views.recovery_codes_new, name="recovery_codes_new"),
]

# Under /accounts/ beside sign-in, with Django's own names (its views and e-mails reverse them without a namespace).
password_urlpatterns = [
    path("password_change/", views.PasswordChange.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", views.PasswordReset.as_view(), name="password_reset"),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
