"""The portal: what end users and guests see."""

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User

from .. import feedback, guest, outbox, services
from ..forms import CheckStatusForm, FeedbackForm, GuestTicketForm, NewTicketForm, ReplyForm
from ..models import Attachment, Feedback, HelpTopic, Status, Ticket
from ..selectors import get_requester_ticket
from ..uploads import INLINE_TYPES

JUST_OPENED = "just_opened_ticket_ids"
MY_TICKETS_PER_PAGE = 25


def home(request):
    return render(request, "portal/home.html")


def new_ticket(request):
    form_class = NewTicketForm if request.user.is_authenticated else GuestTicketForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requester = request.user if request.user.is_authenticated else _guest_requester(data)
        ticket = services.open_ticket(
            requester=requester,
            topic=data["help_topic"],
            subject=data["subject"],
            body=data["message"],
            attachments=data["attachments"],
            submission_key=data["submission_key"],
        )
        request.session[JUST_OPENED] = [*request.session.get(JUST_OPENED, [])[-9:], ticket.pk]
        return redirect("tickets:created", number=ticket.number)
    instructions = {str(t.pk): t.instructions for t in HelpTopic.objects.offered()}
    return render(request, "tickets/new.html", {"form": form, "instructions": instructions})


def _guest_requester(data) -> User:
    """A guest is a user row without a password; signing up later claims it by e-mail."""
    user = User.objects.filter(email__iexact=data["email"]).first()
    return user or User.objects.create_user(email=data["email"], full_name=data["name"])


def ticket_created(request, number):
    ticket = get_object_or_404(Ticket, number=number, pk__in=request.session.get(JUST_OPENED, []))
    return render(request, "tickets/created.html", {"ticket": ticket})


@login_required
def my_tickets(request):
    tickets = Ticket.objects.filter(requester=request.user).select_related("department").requester_order()
    page = _page(tickets, request.GET.get("page"))
    return render(request, "tickets/my_tickets.html", {"tickets": page.object_list, "page": page})


def _page(tickets, number) -> Page:
    """A page of My tickets. The first page's rows are read before counting: when there are
    fewer than a page holds (as for most requesters), they are the count, and no COUNT runs."""
    paginator = Paginator(tickets, MY_TICKETS_PER_PAGE)
    if number not in (None, "", "1"):
        return paginator.get_page(number)
    rows = list(tickets[:MY_TICKETS_PER_PAGE])
    if len(rows) < MY_TICKETS_PER_PAGE:
        paginator.count = len(rows)
    return Page(rows, 1, paginator)


def _ticket_for(request, number) -> Ticket:
    return get_requester_ticket(request.user, number, guest_ids=guest.granted_ids(request.session))


def ticket_detail(request, number):
    ticket = _ticket_for(request, number)
    return _render_detail(request, ticket, ReplyForm())


def _render_detail(request, ticket, form, status=200):
    entries = ticket.entries.public().select_related("author").prefetch_related("attachments")
    context = {"ticket": ticket, "entries": entries, "form": form}
    return render(request, "tickets/detail.html", context, status=status)


@require_POST
def ticket_reply(request, number):
    ticket = _ticket_for(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, ticket, form, status=400)
    try:
        entry = services.add_message(
            ticket,
            author=ticket.requester,
            body=form.cleaned_data["message"],
            attachments=form.cleaned_data["attachments"],
            key=form.cleaned_data["key"],
        )
    except services.TransitionNotAllowed as exc:
        form.add_error(None, str(exc))
        return _render_detail(request, ticket, form, status=409)
    if entry.ticket_id != ticket.pk:
        guest.grant(request.session, entry.ticket)
        messages.success(
            request, f"This ticket was closed, so your message opened a new ticket #{entry.ticket.number}."
        )
        return redirect(entry.ticket)
    messages.success(request, "Your reply was added to the ticket.")
    return redirect(ticket)


@require_POST
def ticket_close(request, number):
    ticket = _ticket_for(request, number)
    try:
        services.change_status(ticket, to=Status.CLOSED, by=ticket.requester)
    except services.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your ticket is closed. Thank you!")
    return redirect(ticket)


def check_status(request):
    form = CheckStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = Ticket.objects.filter(
            number=form.cleaned_data["number"], requester__email__iexact=form.cleaned_data["email"]
        ).first()
        if ticket:
            outbox.notify("guest_link", ticket=ticket, to=[ticket.requester.email])
        # The same answer whether or not the pair matched: nothing to probe.
        return render(request, "tickets/check_status_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "tickets/check_status.html", {"form": form})


def guest_access(request, token):
    ticket = guest.ticket_from_token(token)
    if ticket is None:
        return render(request, "tickets/guest_link_invalid.html", status=400)
    guest.grant(request.session, ticket)
    return redirect(ticket)


def attachment(request, number, pk):
    ticket = _ticket_for(request, number)
    item = get_object_or_404(Attachment.objects.filter(entry__in=ticket.entries.public()), pk=pk)
    return serve_attachment(item)


def serve_attachment(item: Attachment) -> FileResponse:
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    guessed = mimetypes.guess_type(item.filename)[0] or "application/octet-stream"
    inline = guessed in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=item.filename,
        content_type=guessed if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def feedback_form(request, token):
    """The one-page rating form from the resolution e-mail; no sign-in needed."""
    try:
        ticket, resolved_at = feedback.resolution_from_token(token)
    except feedback.LinkExpired:
        days = settings.FEEDBACK_LINK_MAX_AGE // 86400
        return render(request, "tickets/feedback_invalid.html", {"expired": True, "days": days}, status=410)
    except feedback.LinkInvalid:
        return render(request, "tickets/feedback_invalid.html", status=400)
    context = {"ticket": ticket}
    if Feedback.objects.filter(ticket=ticket, resolved_at=resolved_at).exists():
        # ?sent marks the redirect right after this browser sent it; any other visit is a reuse.
        return render(request, "tickets/feedback.html", {**context, "done": True, "already": "sent" not in request.GET})
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_feedback(ticket, resolved_at=resolved_at, **form.cleaned_data)
        except services.ChangeRefused:
            return render(request, "tickets/feedback.html", {**context, "done": True, "already": True})
        return redirect(reverse("tickets:feedback", args=[token]) + "?sent=1")
    return render(request, "tickets/feedback.html", {**context, "form": form})
