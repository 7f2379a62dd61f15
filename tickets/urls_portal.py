from django.urls import path

from tickets import views_portal as views

app_name = "portal"

urlpatterns = [
    path("", views.help_home, name="help"),
    path("appeal/new/", views.appeal_create, name="appeal_create"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/<str:number>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<str:number>/created/", views.appeal_created, name="appeal_created"),
    path("appeals/<str:number>/reply/", views.appeal_reply, name="appeal_reply"),
    path("appeals/<str:number>/rating/", views.appeal_rate, name="appeal_rate"),
    path("appeals/<str:number>/documents/", views.appeal_documents, name="appeal_documents"),
    path("appeals/<str:number>/files/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
]
