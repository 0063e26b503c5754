from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the connection came from.

    Forwarding headers are ignored on purpose: any client can send them, so trusting them
    would let an attacker dodge the login lock-out by changing the header on every try.
    """
    return request.META.get("REMOTE_ADDR")
