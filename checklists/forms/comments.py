"""Forms of comments and concerns: a comment or concern on an item, a manager's answer to a concern, the reason for
closing someone else's concern."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from checklists.forms.layout import form_helper, text_field


class CommentForm(forms.Form):
    body = text_field("Comment", hint="Plain text. Web addresses become links.")

    def __init__(self, *args, concern: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if concern:
            self.fields["body"].label = "Concern"
            self.fields["body"].error_messages["required"] = "Enter your concern."
            self.fields[
                "body"
            ].help_text = "Say what is wrong and what would resolve it. It stays open until you close it."
        self.helper = form_helper(
            Field.textarea("body", label_size=Size.SMALL, rows=3),
            button="Raise concern" if concern else "Add comment",
            secondary=concern,
            form=self,
        )


class AnswerForm(forms.Form):
    answer = text_field("Resolution note", hint="What has been done, or will be done, to resolve the concern.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.textarea("answer", label_size=Size.SMALL, rows=3), button="Answer concern", form=self
        )


class CloseConcernForm(forms.Form):
    reason = text_field(
        "Reason for closing",
        hint="The person who raised the concern sees your reason on the concern and is sent it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.textarea("reason", label_size=Size.SMALL, rows=3), button="Close concern", secondary=True
        )
