"""Forms of evidence: a file to upload (checked by its content) or a link."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from checklists.forms.layout import button_id
from checklists.rules.evidence import ACCEPTED_KINDS, DetectedType, validate_upload


def _evidence_helper(form: forms.Form, *fields, button: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    # the upload and link forms share one page: each button's id carries its form's prefix
    helper.layout = Layout(
        *fields, Submit("add", button, css_class="govuk-button--secondary", css_id=button_id(form, "add"))
    )
    return helper


class EvidenceFileForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        error_messages={"required": "Select a file to upload", "empty": "The selected file is empty"},
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=200,
        help_text="For example, Partnership forum minutes, 12 January 2010. Leave empty to use the file name.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="upload", **kwargs)
        self.fields["file"].help_text = (
            f"{ACCEPTED_KINDS}; up to {filesizeformat(settings.EVIDENCE_MAX_BYTES)}. "
            "Files are checked by their content (no macros, scripts or attached files) and kept privately."
        )
        self.detected: DetectedType | None = None
        self.helper = _evidence_helper(self, "file", "title", button="Upload file")

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.detected = validate_upload(
            uploaded, max_bytes=settings.EVIDENCE_MAX_BYTES, max_unpacked=settings.EVIDENCE_MAX_UNPACKED_BYTES
        )
        return uploaded


class EvidenceLinkForm(forms.Form):
    url = forms.URLField(
        label="Web address",
        assume_scheme="https",
        max_length=1000,
        error_messages={
            "required": "Enter the web address of the evidence",
            "invalid": "Enter a web address in the right format, like https://www.example.nhs.uk/minutes",
        },
    )
    title = forms.CharField(label="Title (optional)", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="link", **kwargs)
        self.helper = _evidence_helper(self, Field.text("url", spellcheck="false"), "title", button="Add link")

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError("Enter a web address that starts with http:// or https://")
        return url
