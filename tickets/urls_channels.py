from django.urls import path

from tickets import views_channels as views

app_name = "channels"

urlpatterns = [
    path("phone/", views.phone_call, name="phone"),
    path("letter/", views.letter_register, name="letter"),
    path("letter/<str:number>/answer/", views.letter_answer, name="letter_answer"),
]
