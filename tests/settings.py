"""The test profile: the real settings with eager Celery, a fast hasher and a scratch media dir."""

import tempfile

from gosupport.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="gosupport-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
