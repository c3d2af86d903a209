"""Forms of two-party sign-off: management's statement, the staff side's acknowledgement or its reasons to decline."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from checklists.forms.layout import form_helper, text_field
from checklists.models import Response


class ManagementSignOffForm(forms.Form):
    statement = text_field(
        "Statement",
        hint="What management confirms about this section, for example that the answers are complete and agreed.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.textarea("statement", label_size=Size.MEDIUM, rows=4), button="Sign off for management"
        )


class AcknowledgeForm(forms.Form):
    statement = text_field("Staff-side statement", hint="For example: the staff side has been consulted and agrees.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.textarea("statement", label_size=Size.MEDIUM, rows=3), button="Acknowledge for the staff side"
        )


class DeclineForm(forms.Form):
    reason = text_field("Reason for declining", hint="This opens a concern in your name, which a manager answers.")
    response = forms.ModelChoiceField(
        queryset=Response.objects.none(),
        label="Item the concern is about",
        empty_label=None,
        error_messages={"invalid_choice": "Choose an item of this section."},
    )

    def __init__(self, *args, responses=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = [r.pk for r in responses]
        field = self.fields["response"]
        field.queryset = Response.objects.filter(pk__in=ids).select_related("item").order_by("item__position")
        field.label_from_instance = lambda r: f"{r.item.code}: {r.item.question[:90]}"
        self.helper = form_helper(
            Field.textarea("reason", label_size=Size.MEDIUM, rows=3),
            Field.select("response"),
            button="Decline and raise a concern",
            secondary=True,
        )
