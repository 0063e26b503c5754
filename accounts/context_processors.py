from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

# What base.html links to on every page. Reversing a URL or looking a file up in the static
# manifest is the same work on every request: done once per process (and script prefix).
NAV_URLS = {
    "home": "home",
    "new_ticket": "tickets:new",
    "my_tickets": "tickets:mine",
    "check_status": "tickets:check_status",
    "desk": "tickets:desk",
    "sla_report": "tickets:sla_report",
    "admin": "admin:index",
    "alerts": "accounts:alerts",
    "password_change": "accounts:password_change",
    "logout": "accounts:logout",
    "login": "accounts:login",
    "signup": "accounts:signup",
}
ASSETS = {
    "bootstrap_css": "vendor/bootstrap/bootstrap.min.css",
    "frontdesk_css": "css/frontdesk.css",
    "htmx_js": "vendor/htmx/htmx.min.js",
    "bootstrap_js": "vendor/bootstrap/bootstrap.bundle.min.js",
    "frontdesk_js": "js/frontdesk.js",
}


@cache
def _layout(script_prefix: str) -> dict[str, str]:
    return {**{key: reverse(name) for key, name in NAV_URLS.items()}, **{k: static(p) for k, p in ASSETS.items()}}


@receiver(setting_changed)
def _forget_layout(**kwargs):
    # Tests that change URLs or static storage get fresh ones.
    _layout.cache_clear()


def roles(request):
    """What the navigation needs: role flags (guest, end user, agent, admin) and its links."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    is_agent = signed_in and user.is_agent
    return {
        "is_agent": is_agent,
        "is_admin": signed_in and user.is_staff,
        "layout": _layout(get_script_prefix()),
    }
