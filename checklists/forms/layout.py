"""What the plain forms of the checklists share: their helper (fields and one button) and their text field."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms

from checklists.rules.answers import BODY_MAX


def form_helper(*fields, button: str, secondary: bool = False) -> FormHelper:
    """Fields and one button; the <form> tag is written in the template (its action differs per use)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields, Submit("submit", button, css_class="govuk-button--secondary" if secondary else ""))
    return helper


def text_field(label: str, *, required: bool = True, hint: str = "") -> forms.CharField:
    """A plain-text box of up to BODY_MAX characters."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}".rstrip(".") + "."},
    )
