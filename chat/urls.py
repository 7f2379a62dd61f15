from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.start, name="start"),
    path("desk/", views.desk, name="desk"),
    path("desk/presence/", views.desk_presence, name="desk_presence"),
    path("desk/callbacks/", views.desk_callbacks, name="desk_callbacks"),
    path("desk/callbacks/<int:pk>/", views.desk_callback_outcome, name="desk_callback_outcome"),
    path("desk/<str:number>/", views.desk_chat, name="desk_chat"),
    path("desk/<str:number>/canned/<int:pk>/", views.desk_canned, name="desk_canned"),
    path("<str:number>/", views.room, name="room"),
    path("<str:number>/callback/", views.callback, name="callback"),
    path("<str:number>/callback/cancel/", views.callback_cancel, name="callback_cancel"),
]
