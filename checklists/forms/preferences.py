"""The form of e-mail preferences: for each kind of notification, each one as it happens, a weekly digest, or none."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms

from checklists.forms.layout import form_helper
from checklists.models import NotificationPreference

Category = NotificationPreference.Category
Frequency = NotificationPreference.Frequency

CHANGES = [Category.CONCERNS, Category.SIGNOFFS, Category.REVIEW]
REMINDERS = [c for c in Category if c not in CHANGES]
# Short enough for the three to sit on one line beside each other on a wide screen
CHOICES = [(Frequency.IMMEDIATE, "As it happens"), (Frequency.DIGEST, "Weekly digest"), (Frequency.NONE, "No e-mail")]


def _label(category: Category) -> str:
    return category.label.removeprefix("Reminders: ")[:1].upper() + category.label.removeprefix("Reminders: ")[1:]


class PreferencesForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for category in Category:
            self.fields[category.value] = forms.ChoiceField(
                label=_label(category),
                choices=CHOICES,
                initial=Frequency.IMMEDIATE,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose how often to hear of: {_label(category).lower()}."},
            )

        def radios(category: Category) -> Field:
            return Field.radios(category.value, legend_size=Size.SMALL, inline=True)

        self.helper = form_helper(
            Fieldset(*(radios(c) for c in CHANGES), legend="When something changes", legend_size=Size.MEDIUM),
            Fieldset(*(radios(c) for c in REMINDERS), legend="Reminders", legend_size=Size.MEDIUM),
            button="Save preferences",
        )
