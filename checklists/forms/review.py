"""Forms of review: return with reasons, accept, start a new round."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from checklists.forms.layout import form_helper, text_field


class ReturnForm(forms.Form):
    reasons = text_field("Reasons for returning", hint="What the site must change before it submits again.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.textarea("reasons", label_size=Size.MEDIUM, rows=5), button="Return to the site", secondary=True
        )


class AcceptForm(forms.Form):
    note = text_field("Note (optional)", required=False, hint="Recorded with your acceptance.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.textarea("note", label_size=Size.MEDIUM, rows=2), button="Accept assessment")


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
