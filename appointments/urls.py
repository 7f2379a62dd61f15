from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("centres/<int:centre_id>/", views.centre_detail, name="centre"),
    path("centres/<int:centre_id>/book/", views.book, name="book"),
    path("my/", views.booking_list, name="booking_list"),
    path("my/<str:code>/", views.booking_detail, name="booking_detail"),
    path("my/<str:code>/confirm/", views.booking_confirm, name="booking_confirm"),
    path("my/<str:code>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("my/<str:code>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("my/<str:code>/qr.svg", views.booking_qr, name="booking_qr"),
    path("my/<str:code>/visit.ics", views.booking_ics, name="booking_ics"),
    path("staff/", views.staff_desk, name="staff_desk"),
    path("staff/<str:code>/check-in/", views.staff_check_in, name="staff_check_in"),
    path("staff/<str:code>/served/", views.staff_served, name="staff_served"),
    path("staff/<str:code>/no-show/", views.staff_no_show, name="staff_no_show"),
]
