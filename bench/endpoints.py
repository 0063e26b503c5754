"""The pages the bench measures: shared by the HTTP load client and the in-process query counter."""

import itertools
import uuid

DEEPEST_PAGE = 40  # the desk's last page of 25 within its count cap (tickets/views/desk.py)


def endpoints(t: dict) -> list[dict]:
    numbers = itertools.cycle(t["work_numbers"])
    d = t["department_id"]

    def new_ticket_form():
        return {
            "help_topic": str(t["topic_id"]),
            "subject": "Bench: laptop won't wake from sleep",
            "message": "Since yesterday my laptop stays black after I open the lid.",
            "submission_key": str(uuid.uuid4()),
        }

    return [
        {"name": "floor", "who": "anon", "method": "GET", "path": "/bench/floor/"},
        # Not a goal: an empty page in base.html as the signed-in agent, the layout's own cost.
        {"name": "floor_base", "who": "agent", "method": "GET", "path": "/bench/floor-base/"},
        {"name": "open_queue", "who": "agent", "method": "GET", "path": "/desk/"},
        # The middle page, or the deepest the desk pages to (tickets.views.desk.COUNT_CAP, 1,000
        # tickets: page 40 of 25) when the middle lies beyond it.
        {
            "name": "open_queue_deep",
            "who": "agent",
            "method": "GET",
            "path": f"/desk/?page={min(t['deep_page'], DEEPEST_PAGE)}",
        },
        # The same list as htmx asks for it: without the queue counts. The difference is their cost.
        {
            "name": "open_queue_htmx",
            "who": "agent",
            "method": "GET",
            "path": "/desk/",
            "headers": {"HX-Request": "true"},
        },
        {
            "name": "filtered_sorted",
            "who": "agent",
            "method": "GET",
            "path": f"/desk/?queue=open&department={d}&priority=3&sort=-updated_at",
        },
        {"name": "search", "who": "agent", "method": "GET", "path": f"/desk/?q={t['search_word']}"},
        {"name": "work_page", "who": "agent", "method": "GET", "path": lambda: f"/desk/tickets/{next(numbers)}/"},
        {"name": "my_tickets", "who": "requester", "method": "GET", "path": "/tickets/mine/"},
        {"name": "portal_new_get", "who": "requester", "method": "GET", "path": "/tickets/new/"},
        {
            "name": "portal_new_post",
            "who": "requester",
            "method": "POST",
            "path": "/tickets/new/",
            "form": new_ticket_form,
        },
    ]
