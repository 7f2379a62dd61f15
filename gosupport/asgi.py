import importlib
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
django_wsgi_app = get_wsgi_application()  # sets Django up before the consumers are imported

import autobahn.util  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from chat.auth import websocket_stack  # noqa: E402
from gosupport.http_threads import WsgiOnThreads  # noqa: E402
from gosupport.routing import websocket_urlpatterns  # noqa: E402

# autobahn (daphne's WebSocket protocol) colours the arguments of a debug line with click on
# every frame it sends, before its logger drops the line: ~4 % of a chat frame's CPU. Plain
# text is enough for lines nobody reads.
autobahn.util._HAS_CLICK = False


def _warm_up() -> None:
    """Load at start what the first citizen would otherwise wait for. In a process that has
    only served sockets, the first bot answer took 330 ms instead of 15: Django imports and
    indexes the URLconf at its first reverse() (the answer's article links, 250 ms), and the
    holidays library imports every country at its first lookup (the operators' hours, 70 ms)."""
    get_resolver().reverse_dict  # noqa: B018
    importlib.import_module("holidays.countries")


_warm_up()

application = ProtocolTypeRouter(
    {
        "http": WsgiOnThreads(django_wsgi_app),
        "websocket": websocket_stack(URLRouter(websocket_urlpatterns)),
    }
)
