from django.contrib import admin
from django.urls import include, path

from tickets.views import portal

admin.site.site_header = "Frontdesk administration"
admin.site.site_title = "Frontdesk admin"
admin.site.index_title = "Help desk configuration"

urlpatterns = [
    path("", portal.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("admin/", admin.site.urls),
]
