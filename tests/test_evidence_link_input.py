"""The evidence link's web-address box is a GOV.UK input, with the GOV.UK error state when the address is wrong."""

import re

from crispy_forms.utils import render_crispy_form

from checklists.forms.evidence import EvidenceLinkForm


def url_input(form: EvidenceLinkForm) -> str:
    return re.search(r'<input[^>]*name="link-url"[^>]*>', render_crispy_form(form)).group(0)


def test_the_web_address_box_is_styled_and_asks_phones_for_their_address_keyboard():
    box = url_input(EvidenceLinkForm())
    assert 'class="govuk-input"' in box
    assert 'inputmode="url"' in box


def test_a_wrong_address_marks_the_box_in_error():
    form = EvidenceLinkForm(data={"link-url": "not an address"})
    assert not form.is_valid()
    assert "govuk-input--error" in url_input(form)
    assert form.errors["url"] == ["Enter a web address in the right format, like https://www.example.nhs.uk/minutes"]
