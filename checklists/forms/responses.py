"""The answer form of an item page, with its GOV.UK date input and owner select."""

from __future__ import annotations

import datetime
import hashlib

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, ConditionalQuestion, ConditionalRadios, Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.models import ModelChoiceIterator

from checklists.models import Item, Response, SectionFigures
from checklists.rules.answers import response_rule_errors

STATUS_HINTS = {
    Response.Status.IN_PLACE: "Done and agreed; attach or link the evidence",
    Response.Status.NOT_IN_PLACE: "Not done, or not agreed",
    Response.Status.NOT_APPLICABLE: "Give the reason it does not apply to your site",
}


class RevealingChoice(ConditionalQuestion):
    """A radio choice that may reveal fields, without an aria-controls that points at nothing."""

    template = "checklists/crispy/conditional_question.html"


class DueDateField(DateInputField):
    """GOV.UK date input whose errors say what to fix, and which never lets a bad date through as an exception.

    crispy-forms-gds's own field accepts digits of any length and only catches ValueError when it builds the date, so
    a long year raised OverflowError (a server error) and an impossible date showed Python's own wording.
    """

    EXAMPLE = "31 3 2010"
    PARTS = (
        ("day", r"\A[0-9]{1,2}\Z", "The day of the due date must be a number from 1 to 31"),
        ("month", r"\A[0-9]{1,2}\Z", "The month of the due date must be a number from 1 to 12"),
        ("year", r"\A[0-9]{4}\Z", "The year of the due date must be 4 digits, for example 2010"),
    )

    REAL_DATE = f"Due date must be a real date, for example {EXAMPLE}"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for subfield, (part, pattern, message) in zip(self.fields, self.PARTS, strict=True):
            subfield.validators = [RegexValidator(pattern, message, code=f"invalid_{part}")]

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return datetime.date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError) as error:
            raise ValidationError(self.REAL_DATE, code="invalid_date") from error


class _PlainQueryChoices(ModelChoiceIterator):
    """Choices from one ordinary query. ModelChoiceIterator reads with .iterator(), which on PostgreSQL is a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips) for what is a handful of a site's people."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # read once, shared with ResponseForm.unbound_key
            yield self.choice(obj)


class OwnerChoiceField(forms.ModelChoiceField):
    """The owner select. A choice is not looked up here: the save checks, with the lock it takes anyway, that the
    person chosen is an active manager or contributor of the site (checklists.services.responses), so a save costs
    no query for it. An unchanged choice is the response's current owner; a new one is taken as an id."""

    iterator = _PlainQueryChoices
    current = None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.current is not None and str(value) == str(self.current.pk):
            return self.current
        try:
            return int(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def validate(self, value) -> None:
        forms.Field.validate(self, value)


def _status_choices() -> list[Choice]:
    """The statuses as GOV.UK radios, each with its hint where it has one."""
    return [
        Choice(value, label, **({"hint": STATUS_HINTS[value]} if value in STATUS_HINTS else {}))
        for value, label in Response.Status.choices
    ]


class ResponseForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=_status_choices(),
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status", "invalid_choice": "Select one of the statuses"},
    )
    not_applicable_reason = forms.CharField(
        label="Why does this item not apply?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    narrative = forms.CharField(
        label="What is in place, and where is it recorded?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    owner = OwnerChoiceField(
        label="Owner",
        queryset=None,
        required=False,
        empty_label="No owner",
        help_text="The manager or contributor who answers for this item.",
        error_messages={"invalid_choice": "Choose a manager or contributor of this site as the owner"},
    )
    due_date = DueDateField(
        label="Due date",
        required=False,
        require_all_fields=False,
        help_text="For example, 31 3 2010",
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args,
        item: Item,
        owners,
        can_assign_owner: bool,
        current_owner=None,
        response_pk=None,
        signed_section: SectionFigures | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.item = item
        # A section whose current sign-off a save would supersede: said just above the Save button.
        self.signed_section = signed_section
        self.response_pk = response_pk
        if can_assign_owner:
            self.fields["owner"].queryset = owners
            self.fields["owner"].current = current_owner
            self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        else:
            del self.fields["owner"]
        if item.kind == Item.Kind.DESCRIBE:
            self.fields["narrative"].label = "Describe the process"
            self.fields["narrative"].help_text = "Needed before you can mark this item as in place."
        self.fields["status"].error_messages["required"] = "Select the status of this item"

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.legend_size = Size.MEDIUM
        self.helper.label_size = Size.SMALL
        statuses = [
            RevealingChoice(label, *(["not_applicable_reason"] if value == Response.Status.NOT_APPLICABLE else []))
            for value, label in Response.Status.choices
        ]
        self.helper.layout = Layout(
            ConditionalRadios("status", *statuses),
            Field.textarea("narrative", rows=6),
            *(["owner"] if can_assign_owner else []),
            Field("due_date"),
            "base_version",
            *(
                [HTML('{% include "checklists/_signoff_warning.html" with section=form.signed_section %}')]
                if signed_section
                else []
            ),
            Submit("save", "Save answer"),
        )

    def unbound_key(self) -> tuple:
        """Everything this form shows while unbound: the stored answer itself (hashed), the item's kind and the owner
        choices, and the sign-off a save would supersede ({% crispy_unbound %} renders it once for these)."""
        owner = self.fields.get("owner")
        choices = tuple((u.pk, owner.label_from_instance(u)) for u in owner.queryset) if owner else ()
        answer = hashlib.sha256(repr(sorted(self.initial.items())).encode()).hexdigest()
        signed = (self.signed_section.title, self.signed_section.signoff.value) if self.signed_section else None
        return ("response", answer, self.item.kind, choices, signed)

    @classmethod
    def initial_for(cls, response: Response) -> dict:
        return {
            "status": response.status,
            "narrative": response.narrative,
            "not_applicable_reason": response.not_applicable_reason,
            "owner": response.owner_id,
            "due_date": response.due_date,
            "base_version": response.version,
        }

    def clean(self):
        cleaned = super().clean()
        for field, message in response_rule_errors(item=self.item, values=cleaned).items():
            self.add_error(field, message)
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        # An error of the whole due date (not a real date, or a rule's) is tied to its first box, the day, so the
        # error summary links to a box a person can type in rather than to the fieldset around the three.
        if "due_date" in (self._errors or {}):
            boxes = self.fields["due_date"].fields
            tied = {str(message) for box in boxes for message in getattr(box.widget, "errors", [])}
            day = boxes[0].widget
            day.errors = [*getattr(day, "errors", []), *(m for m in self.errors["due_date"] if m not in tied)]

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "base_version"}
