from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import PasswordResetForm

APP_CODE = re.compile(r"\d{6}")
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")  # StaticToken.random_token(): 5 random bytes in lower-case base32


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not APP_CODE.fullmatch(code):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app, for example 123456")
        return code


class VerifyForm(forms.Form):
    """The code after the password: 6 digits from the app, or one of the person's 8-character recovery codes."""

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app, or a recovery code"},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        if not (APP_CODE.fullmatch(code) or RECOVERY_CODE.fullmatch(code)):
            raise forms.ValidationError(
                "Enter the 6-digit code from your authenticator app, for example 123456, "
                "or a recovery code, for example abcd 2345"
            )
        return code

    @property
    def is_recovery_code(self) -> bool:
        return not self.cleaned_data["code"].isdigit()


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )
