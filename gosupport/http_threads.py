"""HTTP under daphne: Django's WSGI handler on a pool of threads.

Django's ASGI handler gives every request a thread of its own and, with our middleware,
crosses between that thread and the event loop about six times (each sync-only middleware
and every process_request/process_response of the async-capable ones is a hop), and a
thread that ends with its request cannot keep a database connection. Measured on the API
benchmark: 25 ms of server CPU per appeal through the ASGI handler, 15 ms through WSGI.
Here a request crosses once into a pool thread and back for each piece of the response;
the pool's threads keep their persistent connections (CONN_MAX_AGE). WebSockets stay on
the event loop (Channels).

asgiref's WsgiToAsgi builds the environ; its own runner is replaced because it runs every
request on one shared thread and never closes the response (Django's request_finished,
which recycles database connections, would never fire)."""

from asgiref.sync import SyncToAsync
from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance
from django.conf import settings

from gosupport.thread_pools import thread_pool


class _Request(WsgiToAsgiInstance):
    async def run_wsgi_app(self, body):
        pool = thread_pool("http", settings.HTTP_THREADS)
        await SyncToAsync(self._respond, thread_sensitive=False, executor=pool)(body)

    def _respond(self, body) -> None:
        try:
            environ = self.build_environ(self.scope, body)
        except ValueError:  # too many duplicate headers
            self.start_response("400 Bad Request", [("Content-Type", "text/plain")])
            self._send_all([b"Bad Request"])
            return
        response = self.wsgi_application(environ, self.start_response)
        try:
            self._send_all(response)
        finally:
            if hasattr(response, "close"):
                response.close()

    def _send_all(self, chunks) -> None:
        sent = 0
        for chunk in chunks:
            if not self.response_started:
                self.response_started = True
                self.sync_send(self.response_start)
            if self.response_content_length is not None:
                chunk = chunk[: max(self.response_content_length - sent, 0)]
            if chunk:
                self.sync_send({"type": "http.response.body", "body": chunk, "more_body": True})
                sent += len(chunk)
        if not self.response_started:
            self.response_started = True
            self.sync_send(self.response_start)
        self.sync_send({"type": "http.response.body"})


class WsgiOnThreads(WsgiToAsgi):
    async def __call__(self, scope, receive, send):
        await _Request(self.wsgi_application, self.duplicate_header_limit)(scope, receive, send)
