"""What a web process does once it has loaded, so that its first request costs what the others do.

Without it, a worker's first request imports every view (and what they import: openpyxl alone is 0.2 s), compiles
every template it renders, builds the URL tables and reads the MIME types table: about 20 times a warm request. It
reads nothing from the database; it only opens the connection the first request would (and carries on without one
if the database is not there yet).
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.forms.renderers import get_default_renderer
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver

logger = logging.getLogger(__name__)

# The template packs whose templates the pages render (crispy-forms' GOV.UK pack, the admin's are left cold), and
# the form widgets they render through Django's form renderer.
TEMPLATE_PACK_DIRS = ("gds",)
FORM_WIDGET_TEMPLATES = (
    "attrs",
    "input",
    "text",
    "textarea",
    "select",
    "select_option",
    "radio",
    "radio_option",
    "input_option",
    "multiple_input",
    "checkbox",
    "hidden",
    "file",
    "clearable_file_input",
    "url",
    "number",
)


def warm_up() -> list[str]:
    """Import the URL configuration's views, compile the project's templates and the form pack's, read the MIME
    types, connect to the database. Returns the names of the templates compiled."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    resolver._populate()  # the reverse() tables, of the root and of each namespace
    for _, namespace_resolver in resolver.namespace_dict.values():
        namespace_resolver._populate()
    mimetypes.init()
    renderer = get_default_renderer()
    for widget in FORM_WIDGET_TEMPLATES:
        renderer.get_template(f"django/forms/widgets/{widget}.html")
    engine = engines["django"]
    names: list[str] = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        names += [str(p.relative_to(directory)) for p in Path(directory).rglob("*.html")]
    for app_dir in get_app_template_dirs("templates"):
        for pack in TEMPLATE_PACK_DIRS:
            if (Path(app_dir) / pack).is_dir():
                names += [str(p.relative_to(app_dir)) for p in (Path(app_dir) / pack).rglob("*.html")]
    compiled = []
    for name in names:
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError) as error:  # a partial that is not a template of its own
            logger.debug("not warmed: %s (%s)", name, error)
        else:
            compiled.append(name)
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        logger.warning("no database connection at start-up: %s", error)
    return compiled
