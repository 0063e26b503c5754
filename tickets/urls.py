from django.urls import path

from .views import desk, portal, reports, work

app_name = "tickets"

urlpatterns = [
    # Portal
    path("tickets/new/", portal.new_ticket, name="new"),
    path("tickets/mine/", portal.my_tickets, name="mine"),
    path("tickets/status/", portal.check_status, name="check_status"),
    path("tickets/access/<str:token>/", portal.guest_access, name="guest_access"),
    path("feedback/<str:token>/", portal.feedback_form, name="feedback"),
    path("tickets/<str:number>/", portal.ticket_detail, name="detail"),
    path("tickets/<str:number>/created/", portal.ticket_created, name="created"),
    path("tickets/<str:number>/reply/", portal.ticket_reply, name="reply"),
    path("tickets/<str:number>/close/", portal.ticket_close, name="close"),
    path("tickets/<str:number>/attachments/<int:pk>/", portal.attachment, name="attachment"),
    # Agent desk: queues
    path("desk/", desk.desk, name="desk"),
    path("desk/bulk/", desk.bulk, name="bulk"),
    # Agent desk: the ticket work page and its actions
    path("desk/tickets/<str:number>/", work.work_page, name="work"),
    path("desk/tickets/<str:number>/<str:action>/", work.act, name="act"),
    path("desk/tickets/<str:number>/attachments/<int:pk>/", work.attachment, name="work_attachment"),
    # Agent desk: reports
    path("desk/reports/sla/", reports.sla_report_view, name="sla_report"),
]
