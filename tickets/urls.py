from django.urls import path

from .views import desk, portal

app_name = "tickets"

urlpatterns = [
    path("tickets/new/", portal.new_ticket, name="new"),
    path("tickets/mine/", portal.my_tickets, name="mine"),
    path("tickets/status/", portal.check_status, name="check_status"),
    path("tickets/access/<str:token>/", portal.guest_access, name="guest_access"),
    path("tickets/<str:number>/", portal.ticket_detail, name="detail"),
    path("tickets/<str:number>/created/", portal.ticket_created, name="created"),
    path("tickets/<str:number>/reply/", portal.ticket_reply, name="reply"),
    path("tickets/<str:number>/close/", portal.ticket_close, name="close"),
    path("tickets/<str:number>/attachments/<int:pk>/", portal.attachment, name="attachment"),
    path("desk/", desk.desk, name="desk"),
]
