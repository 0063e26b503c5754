import threading
from functools import lru_cache

import markdown
import nh3
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

# Building a Markdown converter (its extensions and processors) costs more than converting a
# message: keep one per thread and reset it between bodies.
_converters = threading.local()

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a", "h3", "h4", "hr"}


@register.filter
def render_body(text: str) -> str:
    """Markdown for formatting, but any HTML the writer typed is shown as text, never run.

    The text is escaped before Markdown sees it, and the result is cleaned again by nh3
    against a short list of tags, so nothing a user types can become markup of its own.
    """
    return mark_safe(_body_html(text))


# The same bodies are shown again and again (an agent's page reloads after every action): the
# HTML depends on the text alone, so the last few hundred are kept per process.
@lru_cache(maxsize=512)
def _body_html(text: str) -> str:
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")
    html = md.reset().convert(escape(text))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}})


@register.inclusion_tag("tickets/partials/_status_badge.html")
def status_badge(ticket):
    return {"ticket": ticket}
