"""HTTP under daphne: Django's WSGI handler on a pool of threads.

Django's ASGI handler gives every request a thread of its own and, with our middleware,
crosses between that thread and the event loop about six times (each sync-only middleware
and every process_request/process_response of the async-capable ones is a hop), and a
thread that ends with its request cannot keep a database connection. Measured on the API
benchmark: 25 ms of server CPU per appeal through the ASGI handler, 15 ms through WSGI.

Here a request crosses into a pool thread once and comes back once: an ordinary response
is complete when the view returns, so the thread hands it back whole and the event loop
sends it. Only a streaming response (a file download) sends its pieces from the thread as
they are read. The pool's threads keep their persistent connections (CONN_MAX_AGE).
WebSockets stay on the event loop (Channels).

asgiref's WsgiToAsgiInstance builds the environ and parses start_response; its runner is
replaced because it runs every request on one shared thread, crosses back to the loop for
every message, and never closes the response (Django's request_finished, which recycles
database connections, would never fire)."""

import asyncio
from tempfile import SpooledTemporaryFile

from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance
from django.conf import settings

from gosupport.thread_pools import run_on_pool

BODY_IN_MEMORY_BYTES = 65536
BAD_REQUEST = [
    {"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"text/plain")]},
    {"type": "http.response.body", "body": b"Bad Request"},
]


class _Request(WsgiToAsgiInstance):
    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError("the WSGI door takes HTTP only")
        self.scope = scope
        loop = asyncio.get_running_loop()
        with SpooledTemporaryFile(max_size=BODY_IN_MEMORY_BYTES) as body:
            await _read_body(receive, body)
            sender = _sender_from_thread(send, loop)
            messages = await run_on_pool("http", settings.HTTP_THREADS, self._respond, body, sender)
        for message in messages:
            await send(message)

    def _respond(self, body, send_from_thread) -> list[dict]:
        """Runs the request on a pool thread; returns the messages the loop still has to send."""
        try:
            environ = self.build_environ(self.scope, body)
        except ValueError:  # too many duplicate headers
            return BAD_REQUEST
        response = self.wsgi_application(environ, self.start_response)
        try:
            if getattr(response, "streaming", False):
                for message in self._streamed(response):
                    send_from_thread(message)
                return []
            content = b"".join(response)
            if self.response_content_length is not None:
                content = content[: self.response_content_length]
            return [self.response_start, {"type": "http.response.body", "body": content}]
        finally:
            if hasattr(response, "close"):
                response.close()

    def _streamed(self, chunks):
        yield self.response_start
        sent = 0
        for chunk in chunks:
            if self.response_content_length is not None:
                chunk = chunk[: max(self.response_content_length - sent, 0)]
            if chunk:
                yield {"type": "http.response.body", "body": chunk, "more_body": True}
                sent += len(chunk)
        yield {"type": "http.response.body"}


async def _read_body(receive, body) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ValueError("the WSGI door takes HTTP request messages only")
        body.write(message.get("body", b""))
        if not message.get("more_body"):
            break
    body.seek(0)


def _sender_from_thread(send, loop):
    def send_from_thread(message: dict) -> None:
        asyncio.run_coroutine_threadsafe(send(message), loop).result()

    return send_from_thread


class WsgiOnThreads(WsgiToAsgi):
    async def __call__(self, scope, receive, send):
        await _Request(self.wsgi_application, self.duplicate_header_limit)(scope, receive, send)
