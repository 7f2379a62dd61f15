"""Request guards: the staff second factor and the Content-Security-Policy header."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from gosupport.twofactor import second_factor_enrolled, second_factor_required

# Pages an unverified staff member may still open: the second-factor pages themselves,
# signing out, and switching the language.
OPEN_NAMESPACES = {"twofactor"}
OPEN_VIEW_NAMES = {"logout", "admin:logout", "set_language"}
# The sign-in endpoints of the API take the second factor themselves (`otp`).
OPEN_API_PREFIXES = ("/api/v1/auth/",)


class StaffSecondFactorMiddleware:
    """Sends a signed-in staff member who has not passed the second factor in this
    session to verify it (or to set it up); session API calls get 403 instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _second_factor_pending(request) and not _open_path(request.path_info):
            return _api_refusal() if _is_api(request.path_info) else _send_to_second_factor(request)
        return self.get_response(request)


def _second_factor_pending(request: HttpRequest) -> bool:
    user = request.user
    return second_factor_required(user) and not user.is_verified()


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _open_path(path: str) -> bool:
    if path.startswith(_static_prefix()) or path.startswith(OPEN_API_PREFIXES):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.namespace in OPEN_NAMESPACES or match.view_name in OPEN_VIEW_NAMES


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.lstrip("/")


def _api_refusal() -> JsonResponse:
    detail = _("Confirm the second factor before using the API in this session.")
    return JsonResponse({"detail": detail}, status=403)


def _send_to_second_factor(request: HttpRequest) -> HttpResponse:
    step = "twofactor:verify" if second_factor_enrolled(request.user) else "twofactor:setup"
    return redirect_to_login(request.get_full_path(), login_url=reverse(step))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with one exception: the Swagger UI page (from drf-spectacular's sidecar)
    ships an inline bootstrap script and style, so only that page may run them."""

    RELAXED_VIEW_NAMES = {"api-docs"}
    RELAXED_DIRECTIVES = {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE], "img-src": ["data:"]}

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in self.RELAXED_VIEW_NAMES and parts.update is None:
            parts.update = self.RELAXED_DIRECTIVES
        return parts
