"""The GET form that chooses the two rounds to compare."""

from __future__ import annotations

from django import forms

from checklists.models import Assessment


class RoundsCompareForm(forms.Form):
    older = forms.TypedChoiceField(
        label="Earlier round", coerce=int, error_messages={"required": "Choose an earlier round"}
    )
    newer = forms.TypedChoiceField(label="Later round", coerce=int, error_messages={"required": "Choose a later round"})

    def __init__(self, *args, rounds: list[Assessment], **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = {a.pk: a for a in rounds}
        choices = [(a.pk, f"{a.round_label} ({a.get_state_display().lower()})") for a in rounds]
        self.fields["older"].choices = choices
        self.fields["newer"].choices = choices
        self.fields["older"].error_messages["invalid_choice"] = "Choose an earlier round of this site from the list"
        self.fields["newer"].error_messages["invalid_choice"] = "Choose a later round of this site from the list"

    def clean(self):
        data = super().clean()
        if data.get("older") is not None and data.get("older") == data.get("newer"):
            self.add_error("older", "Choose two different rounds")
        return data

    def pair(self) -> tuple[Assessment, Assessment] | None:
        """The chosen rounds, the earlier first by when they started, or None when the choice is not valid."""
        if not self.is_valid():
            return None
        a, b = self.rounds[self.cleaned_data["older"]], self.rounds[self.cleaned_data["newer"]]
        return (a, b) if (a.created_at, a.pk) <= (b.created_at, b.pk) else (b, a)
