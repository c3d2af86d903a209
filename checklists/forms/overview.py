"""The task list's filter form (a GET form)."""

from __future__ import annotations

from django import forms

from checklists.models import Item, Response
from checklists.selectors.responses import OverviewFilters


class OverviewFilterForm(forms.Form):
    # The section codes are checked against the framework by the selector: an unknown code just matches nothing.
    section = forms.CharField(label="Section", required=False, max_length=8)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Response.Status.choices])
    mine = forms.BooleanField(label="Only items I own", required=False)
    overdue = forms.BooleanField(label="Only overdue items", required=False)
    concerns = forms.BooleanField(label="Only items with an open concern", required=False)
    carried = forms.BooleanField(label="Only answers carried forward, not yet confirmed", required=False)
    provenance = forms.ChoiceField(
        label="Comes from", required=False, choices=[("", "Any source"), *Item.Provenance.choices]
    )

    def filters(self) -> OverviewFilters:
        if not self.is_valid():
            return OverviewFilters()
        return OverviewFilters(**self.cleaned_data)
