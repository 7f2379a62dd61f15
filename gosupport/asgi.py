import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
django_wsgi_app = get_wsgi_application()  # sets Django up before the consumers are imported

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.auth import websocket_stack  # noqa: E402
from gosupport.http_threads import WsgiOnThreads  # noqa: E402
from gosupport.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": WsgiOnThreads(django_wsgi_app),
        "websocket": websocket_stack(URLRouter(websocket_urlpatterns)),
    }
)
