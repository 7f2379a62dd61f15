import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")

app = Celery("gosupport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
