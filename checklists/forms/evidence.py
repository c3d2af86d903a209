"""Forms of evidence: a file to upload (checked by its content) or a link."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from checklists.forms.layout import button_id
from checklists.forms.responses import DueDateField
from checklists.rules.evidence import ACCEPTED_KINDS, DetectedType, validate_upload


class EvidenceDateField(DueDateField):
    """A GOV.UK date input of evidence, its errors naming the date they are about."""

    def __init__(self, *, what: str, **kwargs):
        super().__init__(label=what[0].upper() + what[1:], required=False, require_all_fields=False, **kwargs)
        parts = (
            ("day", r"\A[0-9]{1,2}\Z", f"The day of the {what} must be a number from 1 to 31"),
            ("month", r"\A[0-9]{1,2}\Z", f"The month of the {what} must be a number from 1 to 12"),
            ("year", r"\A[0-9]{4}\Z", f"The year of the {what} must be 4 digits, for example 2010"),
        )
        for subfield, (part, pattern, message) in zip(self.fields, parts, strict=True):
            subfield.validators = [RegexValidator(pattern, message, code=f"invalid_{part}")]
        self.REAL_DATE = f"The {what} must be a real date, for example {self.EXAMPLE}"


class EvidenceDates(forms.Form):
    """The date the evidence speaks for (today when left empty) and the last day it holds, if it has one."""

    dated = EvidenceDateField(
        what="date of the evidence",
        help_text="The date the document speaks for: when the certificate was issued, the policy approved or the "
        "meeting held. Leave empty for today. For example, 31 3 2010",
    )
    valid_until = EvidenceDateField(
        what="valid-until date",
        help_text="Optional. The last day a certificate or agreement holds. After it the evidence has expired and no "
        "longer counts: the item needs current evidence to be in place. For example, 31 3 2011",
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        dated, valid_until = cleaned.get("dated"), cleaned.get("valid_until")
        if dated and dated > today:
            self.add_error("dated", "The date of the evidence must be today or in the past")
        if valid_until and valid_until < (dated or today):
            if dated and valid_until < dated:
                self.add_error(
                    "valid_until", "The valid-until date must be the same as or after the date of the evidence"
                )
            else:
                self.add_error(
                    "valid_until",
                    "The valid-until date must be today or in the future: expired evidence does not count",
                )
        return cleaned

    @property
    def dates(self) -> dict:
        return {"dated": self.cleaned_data.get("dated"), "valid_until": self.cleaned_data.get("valid_until")}


def _evidence_helper(form: forms.Form, *fields, button: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    # the upload and link forms share one page: each button's id carries its form's prefix
    helper.layout = Layout(
        *fields, Submit("add", button, css_class="govuk-button--secondary", css_id=button_id(form, "add"))
    )
    return helper


class EvidenceFileForm(EvidenceDates):
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
        self.helper = _evidence_helper(
            self, "file", "title", Field("dated"), Field("valid_until"), button="Upload file"
        )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.detected = validate_upload(
            uploaded, max_bytes=settings.EVIDENCE_MAX_BYTES, max_unpacked=settings.EVIDENCE_MAX_UNPACKED_BYTES
        )
        return uploaded


class EvidenceLinkForm(EvidenceDates):
    url = forms.URLField(
        label="Web address",
        assume_scheme="https",
        max_length=1000,
        # a text input, which the GOV.UK template pack styles (with its error state); inputmode keeps the phone's
        # web-address keyboard that type="url" would have given
        widget=forms.TextInput(attrs={"inputmode": "url"}),
        error_messages={
            "required": "Enter the web address of the evidence",
            "invalid": "Enter a web address in the right format, like https://www.example.nhs.uk/minutes",
        },
    )
    title = forms.CharField(label="Title (optional)", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="link", **kwargs)
        self.helper = _evidence_helper(
            self,
            Field.text("url", spellcheck="false"),
            "title",
            Field("dated"),
            Field("valid_until"),
            button="Add link",
        )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError("Enter a web address that starts with http:// or https://")
        return url
