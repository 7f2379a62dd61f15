import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
django_wsgi_app = get_wsgi_application()  # sets Django up before the consumers are imported

import autobahn.util  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.auth import websocket_stack  # noqa: E402
from gosupport.http_threads import WsgiOnThreads  # noqa: E402
from gosupport.routing import websocket_urlpatterns  # noqa: E402

# autobahn (daphne's WebSocket protocol) colours the arguments of a debug line with click on
# every frame it sends, before its logger drops the line: ~4 % of a chat frame's CPU. Plain
# text is enough for lines nobody reads.
autobahn.util._HAS_CLICK = False

application = ProtocolTypeRouter(
    {
        "http": WsgiOnThreads(django_wsgi_app),
        "websocket": websocket_stack(URLRouter(websocket_urlpatterns)),
    }
)
