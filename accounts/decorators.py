from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def agent_required(view):
    """Agents only: guests are sent to sign in, signed-in end users get a 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_agent:
            raise PermissionDenied("This page is for help desk agents.")
        return view(request, *args, **kwargs)

    return wrapper
