"""WebSocket authentication and origin policy.

Browsers always send Origin on a WebSocket upgrade, so a request with an Origin must come
from one of our hosts (the session cookie then authenticates). Native clients send no
Origin and authenticate with `Authorization: Token <token>` on the upgrade request."""

from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

from chat.db import service_call
from gosupport.api_tokens import user_for_api_token


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _user_for_token(key: str):
    user = user_for_api_token(key)
    return user if user is not None and user.is_active else AnonymousUser()


class TokenOrSessionAuthMiddleware:
    def __init__(self, inner):
        self.inner = AuthMiddlewareStack(inner)
        self.raw_inner = inner

    async def __call__(self, scope, receive, send):
        authorization = _header(scope, b"authorization") or ""
        if authorization.startswith("Token "):
            scope = dict(scope, user=await service_call(_user_for_token)(authorization[6:].strip()), auth="token")
            return await self.raw_inner(scope, receive, send)
        return await self.inner(scope, receive, send)


class OriginPolicy:
    """Rejects a foreign Origin; no Origin is allowed only for token-authenticated clients."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin")
        allowed = self._origin_allowed(origin) if origin else _header(scope, b"authorization") is not None
        if not allowed:
            await send({"type": "websocket.close", "code": 4403})
            return None
        return await self.inner(scope, receive, send)

    @staticmethod
    def _origin_allowed(origin: str) -> bool:
        host = urlparse(origin).hostname or ""
        return validate_host(host, settings.ALLOWED_HOSTS)


def websocket_stack(inner):
    return OriginPolicy(TokenOrSessionAuthMiddleware(inner))
