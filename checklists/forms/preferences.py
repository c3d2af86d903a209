"""The form of e-mail preferences: which categories of notification a person gets."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from checklists.forms.layout import form_helper
from checklists.models import NotificationPreference


class PreferencesForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="E-mail me about",
        choices=NotificationPreference.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick a category to stop those e-mails. Everything stays visible in the service.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.checkboxes("categories", legend_size=Size.MEDIUM), button="Save preferences")
