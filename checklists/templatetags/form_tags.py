"""{% crispy_unbound %}: crispy-forms rendering of the unbound forms item pages repeat, done once per process."""

from __future__ import annotations

from crispy_forms.utils import render_crispy_form
from django import template
from django.utils.safestring import SafeString

from phb_readiness.memos import Memo

register = template.Library()

# Rendered HTML of unbound forms (blank, or showing what is stored) by the key the template gives. Such a form's HTML
# depends only on what its key names, never on the request: crispy-forms takes about 1 ms a field, a third of an
# item page.
_UNBOUND_FORMS = Memo("unbound forms", size=512)


@register.simple_tag
def crispy_unbound(form, *key) -> SafeString:
    """Render `form` with its crispy helper; while it is unbound, reuse the HTML rendered for `key` before.

    `key` (one or more parts) must name everything an unbound form of that kind shows: the template promises that
    every unbound form it passes under that key renders the same. A bound form (the person's input, its errors) is
    always rendered afresh.
    """
    if form.is_bound:
        return render_crispy_form(form)
    html = _UNBOUND_FORMS.get(key)
    if html is None:
        html = render_crispy_form(form)
        _UNBOUND_FORMS.put(key, html)
    return html
