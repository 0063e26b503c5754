from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the connection came from.

    Forwarding headers are ignored on purpose: any client can send them, so trusting them
    would let an attacker dodge the login lock-out by changing the header on every try.
    """
    return request.META.get("REMOTE_ADDR")


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt is for, as the lock-out counts it.

    Sign-in matches e-mail addresses whatever their case, so the lock-out must too: otherwise
    "Erin@…", "ERIN@…" and every other spelling would each get a fresh set of tries.
    """
    source = credentials if credentials else request.POST
    username = source.get("username")
    return username.strip().lower() if username else None
