"""Forms of review: return with reasons and item queries, accept (with an override over a RED rating), answer a
query, start a new round."""

from __future__ import annotations

from collections.abc import Sequence

from crispy_forms_gds.layout import Field, Size
from django import forms

from checklists.forms.layout import form_helper, text_field
from checklists.rules.answers import BODY_MAX

QUERY_PREFIX = "query-"


class ReturnForm(forms.Form):
    """The general reasons, and an optional query for each item (fields `query-<code>`, written in the template
    inside one expandable block per section, so 61 boxes stay usable)."""

    reasons = text_field("Reasons for returning", hint="What the site must change before it submits again.")

    def __init__(self, *args, item_codes: Sequence[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code in item_codes:
            self.fields[f"{QUERY_PREFIX}{code}"] = forms.CharField(
                label=f"Query on {code}",
                required=False,
                max_length=BODY_MAX,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": f"The query on {code} must be {BODY_MAX} characters or fewer."},
            )

    @property
    def queries(self) -> dict[str, str]:
        """Item code to question, for the items given a query."""
        return {
            name.removeprefix(QUERY_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(QUERY_PREFIX) and value
        }

    def service_data(self) -> dict:
        return {"reasons": self.cleaned_data["reasons"], "queries": self.queries}


class AcceptForm(forms.Form):
    note = text_field("Note (optional)", required=False, hint="Recorded with your acceptance.")
    override_reasons = text_field(
        "Reasons for accepting over a RED rating",
        required=False,
        hint="The rating is RED. Say why the assessment can be accepted all the same: your reasons are recorded "
        "as an override, shown on this page, in the site report and in the audit trail.",
    )

    def __init__(self, *args, red: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.red = red
        if not red:
            del self.fields["override_reasons"]
        fields = [Field.textarea("note", label_size=Size.SMALL, rows=2)]
        if red:
            fields.insert(0, Field.textarea("override_reasons", label_size=Size.SMALL, rows=3))
        self.helper = form_helper(*fields, button="Accept assessment" if not red else "Accept over the RED rating")

    def clean_override_reasons(self) -> str:
        reasons = self.cleaned_data.get("override_reasons", "")
        if self.red and not reasons:
            raise forms.ValidationError(
                "Enter your reasons for accepting over a RED rating, or return the assessment instead."
            )
        return reasons


class QueryAnswerForm(forms.Form):
    answer = text_field("Your answer", hint="What you changed, or why nothing needed to change.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.textarea("answer", label_size=Size.SMALL, rows=3), button="Answer query")


class NewRoundForm(forms.Form):
    round_label = forms.CharField(
        label="Name of the new round",
        max_length=80,
        help_text='For example "Readiness review, 2010/11 Q1". The answers are carried forward for review.',
        error_messages={"required": "Enter a name for the new round."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.text("round_label", label_size=Size.SMALL), button="Start a new round")
