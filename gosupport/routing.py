"""WebSocket routes of every app, collected in one place for asgi.py."""

websocket_urlpatterns: list = []
