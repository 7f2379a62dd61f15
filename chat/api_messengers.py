"""Messenger doors: the Telegram webhook, and the page where a citizen links a chat to their account.

Webhook: POST /messengers/telegram/webhook/ with Telegram's Update JSON and the
X-Telegram-Bot-Api-Secret-Token header equal to TELEGRAM_WEBHOOK_SECRET (registered with
setWebhook's secret_token). 404 until the bot is configured, 403 for a wrong secret, 400
for a body that is not an update, 200 {"ok": true} otherwise (a repeated update included)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from chat.messengers import telegram
from chat.messengers.base import BadUpdate
from chat.messengers.services import messenger_link_confirm, messenger_link_find, messenger_update_receive
from chat.models import Messenger


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> JsonResponse:
    if not telegram.is_configured():
        raise Http404
    secret = request.headers.get(telegram.SECRET_HEADER, "")
    if not constant_time_compare(secret, settings.TELEGRAM_WEBHOOK_SECRET):
        return JsonResponse({"ok": False, "error": "forbidden"}, status=403)
    try:
        incoming = telegram.parse_update(json.loads(request.body or b"null"))
    except (ValueError, BadUpdate) as error:
        return JsonResponse({"ok": False, "error": str(error)}, status=400)
    outcome = messenger_update_receive(messenger=Messenger.TELEGRAM, incoming=incoming)
    return JsonResponse({"ok": True, "outcome": outcome})


@login_required
@require_http_methods(["GET", "POST"])
def telegram_link(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen, signed in, confirms that the Telegram chat is theirs."""
    if not request.user.is_citizen:
        raise Http404
    link = messenger_link_find(token=token)
    if request.method == "POST" and link is not None:
        try:
            messenger_link_confirm(token=token, user=request.user)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError:
            link = None
        else:
            messages.success(
                request, _("The Telegram chat is linked to your account. Go back to Telegram to continue.")
            )
            return redirect("home")
    status = 200 if link is not None else 404
    return render(request, "channels/telegram_link.html", {"link": link}, status=status)


app_name = "messengers"

urlpatterns = [
    path("telegram/webhook/", telegram_webhook, name="telegram_webhook"),
    path("telegram/link/<str:token>/", telegram_link, name="telegram_link"),
]
