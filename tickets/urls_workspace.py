from django.urls import path

from tickets import views_workspace as views

app_name = "workspace"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<str:number>/note/", views.ticket_note, name="note"),
    path("tickets/<str:number>/attach/", views.ticket_attach, name="attach"),
    path("tickets/<str:number>/status/", views.ticket_status, name="status"),
    path("tickets/<str:number>/take/", views.ticket_take, name="take"),
    path("tickets/<str:number>/transfer/", views.ticket_transfer, name="transfer"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
