"""Forms of the report pages (GOV.UK template pack)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from checklists.models import Assessment
from checklists.rules.readiness import Rag

SORT_CHOICES = [
    ("site", "Site name"),
    ("region", "Region"),
    ("rag", "RAG rating (red first)"),
    ("-progress", "Progress (most in place first)"),
    ("progress", "Progress (least in place first)"),
    ("-concerns", "Open concerns (most first)"),
    ("-changed", "Last change (newest first)"),
    ("changed", "Last change (oldest first)"),
]


class OverviewFilterForm(forms.Form):
    region = forms.ChoiceField(label="Region", required=False)
    state = forms.ChoiceField(label="State", required=False, choices=[("", "Any state"), *Assessment.State.choices])
    rag = forms.ChoiceField(
        label="RAG rating", required=False, choices=[("", "Any rating"), *[(r.value, r.label) for r in Rag]]
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "All regions"), *[(r.code, r.name) for r in regions]]
        for name, what in (("region", "regions"), ("state", "states"), ("rag", "RAG ratings"), ("sort", "orders")):
            self.fields[name].error_messages["invalid_choice"] = f"Choose one of the listed {what}"
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.form_class = "app-filter-form"
        self.helper.layout = Layout(
            Field.select("region"),
            Field.select("state"),
            Field.select("rag"),
            Field.select("sort"),
            Submit("apply", "Apply", css_class="govuk-button--secondary"),
        )

    def unbound_key(self) -> tuple:
        """Everything this form shows while unbound: the regions to choose from ({% crispy_unbound %})."""
        return ("overview-filters", tuple(self.fields["region"].choices))

    def filters(self) -> dict[str, str]:
        """The valid filters (an invalid one is shown as an error and ignored, never a failure)."""
        if not self.is_bound:
            return dict.fromkeys(("region", "state", "rag", "sort"), "")
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in ("region", "state", "rag", "sort")}


class SiteReportRequestForm(forms.Form):
    """Asking for a site report: only whether to end it with the guidance appendix (off unless ticked)."""

    include_guidance = forms.BooleanField(label="Include the guidance appendix", required=False)


VERIFY_MAX_BYTES = 100 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="Upload the PDF",
        help_text="The file is read to work out its SHA-256 and then discarded: nobody sees it.",
        error_messages={"required": "Choose the PDF you want to check", "empty": "The file you chose is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.label_size = Size.MEDIUM
        self.helper.layout = Layout(Field("file"), Submit("verify", "Check the report"))

    @staticmethod
    def too_big_message() -> str:
        return f"The file is larger than any report this service issues ({VERIFY_MAX_BYTES // 1024 // 1024} MB)"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(self.too_big_message())
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise forms.ValidationError("The file is not a PDF: choose the report as it was downloaded")
        upload.seek(0)
        return upload


class VerifyNumberForm(forms.Form):
    """A report's number, as its cover prints it: says whether and when it was issued, not that a copy is unchanged."""

    number = forms.IntegerField(
        label="Or enter the report number",
        help_text="As printed on the report's cover, for example 1042.",
        min_value=1,
        max_value=2**53,
        error_messages={
            "required": "Enter the report number",
            "invalid": "Enter the report number as digits only, for example 1042",
            "min_value": "Enter the report number as printed on the report's cover",
            "max_value": "Enter the report number as printed on the report's cover",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.label_size = Size.MEDIUM
        self.helper.layout = Layout(
            Field.text("number", field_width=10, inputmode="numeric"),
            Submit("lookup", "Look up the report", css_class="govuk-button--secondary"),
        )
