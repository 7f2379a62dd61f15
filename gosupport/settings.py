"""Settings for every profile, read from the environment (see .env.example).

With no environment at all this is the embedded profile: SQLite, an in-memory
channel layer and a filesystem Celery broker, so `make run` works on a machine
that has only Python.  Set GOSUPPORT_ENV=production for the production profile.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

GOSUPPORT_ENV = env("GOSUPPORT_ENV", default="development")
PRODUCTION = GOSUPPORT_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")
else:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

STAFF_2FA_REQUIRED = env.bool("STAFF_2FA_REQUIRED", default=True)
if PRODUCTION and not STAFF_2FA_REQUIRED:
    raise ImproperlyConfigured("STAFF_2FA_REQUIRED=false is refused in production settings.")

# Personal data (152-FZ): INN, SNILS and passport numbers are encrypted with these Fernet
# keys (first encrypts, all decrypt) and found through an HMAC with PD_HASH_KEY. Not
# SECRET_KEY. The fixed development keys below are public, so production refuses them.
_DEV_PD_ENCRYPTION_KEY = "NelfTDwN91NndItNb39tMaPhd6hUxwAiwjhlU6QWPhY="
_DEV_PD_HASH_KEY = "dev-only-pd-hash-key-pQCAD0sDbQXtLQGkaG2bN3YAHOCLi"
PD_ENCRYPTION_KEYS = [key.strip() for key in env.list("PD_ENCRYPTION_KEYS", default=[]) if key.strip()] or (
    [] if PRODUCTION else [_DEV_PD_ENCRYPTION_KEY]
)
PD_HASH_KEY = env("PD_HASH_KEY", default="") or ("" if PRODUCTION else _DEV_PD_HASH_KEY)
if PRODUCTION and (not PD_ENCRYPTION_KEYS or _DEV_PD_ENCRYPTION_KEY in PD_ENCRYPTION_KEYS):
    raise ImproperlyConfigured("Production needs its own PD_ENCRYPTION_KEYS (Fernet keys, comma-separated).")
if PRODUCTION and (not PD_HASH_KEY or PD_HASH_KEY == _DEV_PD_HASH_KEY):
    raise ImproperlyConfigured("Production needs its own PD_HASH_KEY.")
# Closed appeals (and other apps' registered records) are purged this many days after closing.
PD_RETENTION_DAYS = env.int("PD_RETENTION_DAYS", default=5 * 365)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "channels",
    "phonenumber_field",
    "django_celery_beat",
    "gosupport",
    "knowledgebase",
    "tickets",
    "chat",
    "appointments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gosupport.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gosupport.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes turns a lockout flagged during authentication into its page; it goes last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gosupport.urls"
WSGI_APPLICATION = "gosupport.wsgi.application"
ASGI_APPLICATION = "gosupport.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Django's PostgreSQL connection pool (psycopg-pool), one per process: caps the connections
# of a process's HTTP and chat threads, which otherwise keep one each (CONN_MAX_AGE). The
# pool needs CONN_MAX_AGE=0.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DB_POOL", default=False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "gosupport.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses any sign-in (web, admin, API token) while the account is locked out; signs in nobody.
    "axes.backends.AxesStandaloneBackend",
    "gosupport.auth_backends.PhoneOrEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: appeals take PDF/JPG/PNG recognised by content, 5 MB in total.
ATTACHMENTS_MAX_TOTAL_BYTES = env.int("ATTACHMENTS_MAX_TOTAL_BYTES", default=5 * 1024 * 1024)
# Images are decoded to be re-encoded: more pixels than this is refused as a decompression bomb.
ATTACHMENTS_MAX_IMAGE_PIXELS = env.int("ATTACHMENTS_MAX_IMAGE_PIXELS", default=50_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# Redis carries the channel layer and the Celery broker in production; without it the
# embedded profile uses an in-memory layer and a filesystem broker.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # "pubsub" (Redis PUBLISH, no per-channel queues) moved ~1.6x the messages of "core" on
    # the shared perf floor; both are at-most-once and the chat resumes from the database.
    # gosupport.channel_layer pipelines its publishes.
    if env("CHANNEL_LAYER", default="pubsub") == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "gosupport.channel_layer.PipelinedPubSubChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL]},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [REDIS_URL],
                    "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000),
                    "expiry": 60,
                },
            }
        }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # run_centre sets this so its worker's frames reach the sockets its daphne holds.
    EMBEDDED_CHANNEL_LAYER_FILE = env("EMBEDDED_CHANNEL_LAYER_FILE", default="")
    if EMBEDDED_CHANNEL_LAYER_FILE:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "gosupport.embedded_layer.SqliteChannelLayer",
                "CONFIG": {
                    "path": EMBEDDED_CHANNEL_LAYER_FILE,
                    "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000),
                },
            }
        }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
SLA_SWEEP_INTERVAL_SECONDS = env.int("SLA_SWEEP_INTERVAL_SECONDS", default=5)
# Each process keeps the business calendars it read; another process's change reaches it
# within this many seconds (its own changes at once).
CALENDAR_CACHE_SECONDS = env.float("CALENDAR_CACHE_SECONDS", default=5.0)
SLA_POLICY_CACHE_SECONDS = env.float("SLA_POLICY_CACHE_SECONDS", default=5.0)
CATEGORY_CACHE_SECONDS = env.float("CATEGORY_CACHE_SECONDS", default=5.0)
CELERY_TASK_ROUTES = {
    "tickets.sla_sweep": {"queue": "default"},
    "gosupport.deliver_notification": {"queue": "default"},
    "gosupport.outbox_sweep": {"queue": "default"},
    "chat.offers_sweep": {"queue": "default"},
    "chat.presence_sweep": {"queue": "default"},
    "chat.callbacks_sweep": {"queue": "default"},
}
# Periodic work; django-celery-beat's DatabaseScheduler copies these entries into its tables.
# A sweep that waited longer than its interval is dropped: the next one covers the same rows.
CELERY_BEAT_SCHEDULE = {
    "tickets.sla_sweep": {
        "task": "tickets.sla_sweep",
        "schedule": float(SLA_SWEEP_INTERVAL_SECONDS),
        "options": {"expires": float(SLA_SWEEP_INTERVAL_SECONDS * 2)},
    },
    "gosupport.outbox_sweep": {
        "task": "gosupport.outbox_sweep",
        "schedule": 60.0,
        "options": {"expires": 120.0},
    },
    "gosupport.purge_expired_personal_data": {
        "task": "gosupport.purge_expired_personal_data",
        "schedule": 24 * 3600.0,
        "options": {"expires": 3600.0},
    },
    # Chat offers not accepted in time go to the next free operator.
    "chat.offers_sweep": {
        "task": "chat.offers_sweep",
        "schedule": 2.0,
        "options": {"expires": 4.0},
    },
    # E-mail replies whose Celery message was lost go out again; idempotent, safe to overlap.
    "tickets.channels.mail_replies_sweep": {
        "task": "tickets.channels.mail_replies_sweep",
        "schedule": 60.0,
        "options": {"expires": 120.0},
    },
    # Operators whose desk socket is gone for the grace period go offline.
    "chat.presence_sweep": {
        "task": "chat.presence_sweep",
        "schedule": 15.0,
        "options": {"expires": 30.0},
    },
    # Call backs whose time has come are offered to the operators of their queue.
    "chat.callbacks_sweep": {
        "task": "chat.callbacks_sweep",
        "schedule": 30.0,
        "options": {"expires": 60.0},
    },
    # Booking reminders (24 h and 2 h before) and no-shows; idempotent, safe to overlap.
    "appointments.bookings_sweep": {
        "task": "appointments.bookings_sweep",
        "schedule": 60.0,
        "options": {"expires": 120.0},
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="gosupport <support@gosupport.local>")
SMS_BACKEND = env("SMS_BACKEND", default="gosupport.sms.LogSmsBackend")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gosupport.api_tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "gosupport.api_errors.api_exception_handler",
    # Per user (per address when anonymous); "auth" guards sign-up and token requests.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="1200/min"),
        "auth": env("API_THROTTLE_AUTH", default="30/min"),
    },
    # Whose address a throttle counts: the connection's, or the one the trusted proxies saw
    # (the same count as TRUSTED_PROXY_COUNT below); a forged X-Forwarded-For never decides.
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gosupport API",
    "DESCRIPTION": "Public contract of the gosupport contact centre (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Status",
        "TicketChannelEnum": "tickets.models.Channel",
        "BookingStatusEnum": "appointments.models.BookingStatus",
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Headers every response carries (SecurityMiddleware, XFrameOptionsMiddleware, django-csp).
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Our pages load scripts and styles from our own static files only: no inline <script>,
# no on* attributes, no <style> blocks or style="" attributes. /api/docs/ alone is relaxed
# (gosupport.middleware.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Staff second factor: the issuer name people see in their authenticator app.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="gosupport")

# Sign-in protection (django-axes) for the portal login, the admin login and the API token
# endpoint. Failures count per account AND client address: a guesser is stopped, while the
# same person elsewhere, or a colleague behind the same office address, still signs in.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "gosupport.twofactor.sign_in_account_key"
AXES_CLIENT_IP_CALLABLE = "gosupport.twofactor.sign_in_client_address"
AXES_LOCKOUT_CALLABLE = "gosupport.views_2fa.sign_in_locked_out"
# How many reverse proxies (load balancers) in front append to X-Forwarded-For. 0 = use the
# connection's address: a header a client can forge must not choose whose counter grows.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No personal data in logs: every handler masks e-mails, phones and long numbers.
    "filters": {"personal_data": {"()": "gosupport.personal_data.PersonalDataLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own default handler would print django.* records unmasked: route them here.
    "loggers": {"django": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO"), "propagate": False}},
}
CHAT_OFFER_SECONDS = env.int("CHAT_OFFER_SECONDS", default=20)
# Frames a socket may send: this many a second on average, in bursts of up to CHAT_FRAMES_BURST.
CHAT_FRAMES_PER_SECOND = env.float("CHAT_FRAMES_PER_SECOND", default=10.0)
CHAT_FRAMES_BURST = env.int("CHAT_FRAMES_BURST", default=40)
# Threads (each with its own database connection) that run the chat sockets' service calls
# in one web process (PostgreSQL; SQLite runs them on Channels' one database thread).
CHAT_DB_THREADS = env.int("CHAT_DB_THREADS", default=4)
# Threads per web process that run HTTP requests (gosupport.http_threads); each keeps its own
# database connection.
HTTP_THREADS = env.int("HTTP_THREADS", default=8)
# Presence follows the desk socket (chat.presence): an open desk stamps the operator every
# CHAT_DESK_HEARTBEAT_SECONDS; with no desk seen for CHAT_DESK_GRACE_SECONDS they go offline.
CHAT_DESK_HEARTBEAT_SECONDS = env.float("CHAT_DESK_HEARTBEAT_SECONDS", default=15.0)
CHAT_DESK_GRACE_SECONDS = env.int("CHAT_DESK_GRACE_SECONDS", default=60)
# Expected wait in the queue (chat.waiting): the median handoff-to-accept time of the queue's
# chats over this many hours; without history, the SLA first reply or CHAT_WAIT_FALLBACK_SECONDS.
CHAT_WAIT_HISTORY_HOURS = env.int("CHAT_WAIT_HISTORY_HOURS", default=24)
CHAT_WAIT_FALLBACK_SECONDS = env.int("CHAT_WAIT_FALLBACK_SECONDS", default=30)
# A queued citizen is offered a call back (and the written appeal) beyond this expected wait.
CHAT_CALLBACK_OFFER_WAIT_SECONDS = env.int("CHAT_CALLBACK_OFFER_WAIT_SECONDS", default=300)
# Call backs (chat.callbacks): slots of this many minutes within operator hours, from
# CALLBACK_LEAD_MINUTES after now up to CALLBACK_DAYS_AHEAD days ahead.
CALLBACK_SLOT_MINUTES = env.int("CALLBACK_SLOT_MINUTES", default=30)
CALLBACK_LEAD_MINUTES = env.int("CALLBACK_LEAD_MINUTES", default=30)
CALLBACK_DAYS_AHEAD = env.int("CALLBACK_DAYS_AHEAD", default=7)
# How many call backs one slot takes: about the calls the operators on duty make in a slot.
CALLBACK_SLOT_CAPACITY = env.int("CALLBACK_SLOT_CAPACITY", default=5)
# A call back nobody made within this many minutes of its time expires and the citizen is told.
CALLBACK_GRACE_MINUTES = env.int("CALLBACK_GRACE_MINUTES", default=120)

# Channels (tickets.channels, chat.messengers). The support mailbox is polled only when
# IMAP_URL is set: imaps://user:password@host:993/INBOX (imap:// without TLS).
IMAP_URL = env("IMAP_URL", default="")
IMAP_POLL_SECONDS = env.int("IMAP_POLL_SECONDS", default=60)
IMAP_BATCH = env.int("IMAP_BATCH", default=500)
if IMAP_URL:
    CELERY_BEAT_SCHEDULE["tickets.channels.mailbox_poll"] = {
        "task": "tickets.channels.mailbox_poll",
        "schedule": float(IMAP_POLL_SECONDS),
        "options": {"expires": float(IMAP_POLL_SECONDS * 2)},
    }
# The centre's own addresses (comma-separated); mail from them is a loop. Defaults to DEFAULT_FROM_EMAIL.
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="")
MAIL_DEFAULT_CATEGORY = env("MAIL_DEFAULT_CATEGORY", default="general")
# More new appeals than this from one address within an hour is treated as a mail loop.
MAIL_MAX_NEW_APPEALS_PER_HOUR = env.int("MAIL_MAX_NEW_APPEALS_PER_HOUR", default=20)
# Telegram Bot API: the token of the bot and the secret Telegram sends back in
# X-Telegram-Bot-Api-Secret-Token (setWebhook secret_token). The webhook answers 404 until both are set.
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_WEBHOOK_SECRET = env("TELEGRAM_WEBHOOK_SECRET", default="")
# Appointments: how many days ahead citizens may book; the map's tile server (an URL
# template with {z}/{x}/{y}; empty = no map, the finder stays a list) and its attribution.
APPOINTMENTS_BOOKING_HORIZON_DAYS = env.int("APPOINTMENTS_BOOKING_HORIZON_DAYS", default=60)
APPOINTMENTS_MAP_TILE_URL = env("APPOINTMENTS_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
APPOINTMENTS_MAP_ATTRIBUTION = env("APPOINTMENTS_MAP_ATTRIBUTION", default="© OpenStreetMap contributors")

# The portal authenticates its pushes of application status changes with this token
# (`Authorization: Bearer …`); empty disables the integration endpoint.
PORTAL_INTEGRATION_TOKEN = env("PORTAL_INTEGRATION_TOKEN", default="")
