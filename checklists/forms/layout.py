"""What the plain forms of the checklists share: their helper (fields and one button) and their text field."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms

from checklists.rules.answers import BODY_MAX


def form_helper(*fields, button: str, secondary: bool = False, form: forms.Form | None = None) -> FormHelper:
    """Fields and one button; the <form> tag is written in the template (its action differs per use). Given the
    form, the button's id follows the form's field ids (its `auto_id` and prefix), so two forms on one page never
    share an id."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(
        *fields,
        Submit(
            "submit",
            button,
            css_class="govuk-button--secondary" if secondary else "",
            css_id=button_id(form, "submit") if form is not None else None,
        ),
    )
    return helper


def button_id(form: forms.Form, name: str) -> str | None:
    """The id a field called `name` would have in this form, as Django gives it (None when the form writes none)."""
    auto_id, html_name = form.auto_id, form.add_prefix(name)
    if auto_id and "%s" in str(auto_id):
        return str(auto_id) % html_name
    return html_name if auto_id else None


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
