def roles(request):
    """Role flags for navigation: guest, end user, agent, admin."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    is_agent = signed_in and user.is_agent
    return {
        "is_agent": is_agent,
        "is_admin": signed_in and user.is_staff,
    }
