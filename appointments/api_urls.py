"""Appointments' part of the REST API v1, included under /api/v1/ by gosupport.urls."""

from appointments.api import router

urlpatterns = router.urls
