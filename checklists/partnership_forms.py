"""Forms of the partnership features. They validate input; the services in checklists.partnership do the rest."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from checklists.models import NotificationPreference, Response
from checklists.partnership import BODY_MAX


def _helper(*fields, button: str, secondary: bool = False) -> FormHelper:
    """Fields and one button; the <form> tag is written in the template (its action differs per use)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields, Submit("submit", button, css_class="govuk-button--secondary" if secondary else ""))
    return helper


def _text(label: str, *, required: bool = True, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}".rstrip(".") + "."},
    )


class CommentForm(forms.Form):
    body = _text("Comment", hint="Plain text. Web addresses become links.")

    def __init__(self, *args, concern: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if concern:
            self.fields["body"].label = "Concern"
            self.fields["body"].error_messages["required"] = "Enter your concern."
            self.fields[
                "body"
            ].help_text = "Say what is wrong and what would resolve it. It stays open until you close it."
        self.helper = _helper(
            Field.textarea("body", label_size=Size.SMALL, rows=3),
            button="Raise concern" if concern else "Add comment",
            secondary=concern,
        )


class AnswerForm(forms.Form):
    answer = _text("Resolution note", hint="What has been done, or will be done, to resolve the concern.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("answer", label_size=Size.SMALL, rows=3), button="Answer concern")


class ManagementSignOffForm(forms.Form):
    statement = _text(
        "Statement",
        hint="What management confirms about this section, for example that the answers are complete and agreed.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("statement", label_size=Size.MEDIUM, rows=4), button="Sign off for management"
        )


class AcknowledgeForm(forms.Form):
    statement = _text("Staff-side statement", hint="For example: the staff side has been consulted and agrees.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("statement", label_size=Size.MEDIUM, rows=3), button="Acknowledge for the staff side"
        )


class DeclineForm(forms.Form):
    reason = _text("Reason for declining", hint="This opens a concern in your name, which a manager answers.")
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
        self.helper = _helper(
            Field.textarea("reason", label_size=Size.MEDIUM, rows=3),
            Field.select("response"),
            button="Decline and raise a concern",
            secondary=True,
        )


class ReturnForm(forms.Form):
    reasons = _text("Reasons for returning", hint="What the site must change before it submits again.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("reasons", label_size=Size.MEDIUM, rows=5), button="Return to the site", secondary=True
        )


class AcceptForm(forms.Form):
    note = _text("Note (optional)", required=False, hint="Recorded with your acceptance.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("note", label_size=Size.MEDIUM, rows=2), button="Accept assessment")


class NewRoundForm(forms.Form):
    round_label = forms.CharField(
        label="Name of the new round",
        max_length=80,
        help_text='For example "Readiness review, 2010/11 Q1". The answers are carried forward for review.',
        error_messages={"required": "Enter a name for the new round."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("round_label", label_size=Size.SMALL), button="Start a new round")


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
        self.helper = _helper(Field.checkboxes("categories", legend_size=Size.MEDIUM), button="Save preferences")
