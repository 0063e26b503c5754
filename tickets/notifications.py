"""One helper renders and sends every e-mail: templates/emails/<event>/{subject,body}.txt + body.html."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated(event: str, *, to: list[str], context: dict, headers: dict | None = None) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{event}/subject.txt", context).split())
    text = render_to_string(f"emails/{event}/body.txt", context)
    html = render_to_string(f"emails/{event}/body.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        to,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    message.send()
