"""helpdesk.urls plus the bench's own floor pages, served only by the bench's URLconf.

- /bench/floor/: the cheapest Django page (a one-line template): the floor every ratio is given against.
- /bench/floor-base/: an empty page in the app's base.html layout (navigation, messages, static
  links), for the cost of the layout alone that every full page pays.
"""

from django.http import HttpResponse
from django.template import Context, Template, engines
from django.urls import path

from helpdesk.urls import urlpatterns as app_urlpatterns

_FLOOR = Template("<!doctype html><title>{{ title }}</title><p>Hello {{ name }}, it is {{ n }}.</p>")
_FLOOR_BASE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<p>Hello {{ name }}.</p>{% endblock %}'
)


def floor(request):
    return HttpResponse(_FLOOR.render(Context({"title": "floor", "name": "bench", "n": 42})))


def floor_base(request):
    return HttpResponse(_FLOOR_BASE.render({"name": "bench"}, request))


urlpatterns = [
    *app_urlpatterns,
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor-base/", floor_base, name="bench_floor_base"),
]
