"""{% crispy_blank %}: crispy-forms rendering of the blank forms every item page repeats, done once per process."""

from __future__ import annotations

from crispy_forms.utils import render_crispy_form
from django import template
from django.utils.safestring import SafeString

from phb_readiness.audit.stamps import StampedMemo

register = template.Library()

# Rendered HTML of blank (unbound) forms by the key the template gives. A blank form's HTML depends only on its
# class and the key's variant, never on the request: crispy-forms takes about 1 ms a field, a third of an item page.
_BLANK_FORMS = StampedMemo(size=1024)


@register.simple_tag
def crispy_blank(form, *key) -> SafeString:
    """Render `form` with its crispy helper; while it is unbound, reuse the HTML rendered for `key` before.

    `key` (one or more parts) must name one variant of one form class: the template promises that every blank form
    it passes under that key renders the same. A bound form (the person's input, its errors) is always rendered afresh.
    """
    if form.is_bound:
        return render_crispy_form(form)
    html = _BLANK_FORMS.get(key)
    if html is None:
        html = render_crispy_form(form)
        _BLANK_FORMS.put(key, html)
    return html
