"""HTTP through daphne's ASGI door runs Django's WSGI handler on a thread pool."""

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.signals import request_finished

from gosupport.asgi import application
from gosupport.http_threads import WsgiOnThreads

pytestmark = pytest.mark.django_db(transaction=True)


def scope(method: str, path: str, headers=()) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def request(method: str, path: str, body: bytes = b"", headers=()) -> tuple[int, dict, bytes]:
    communicator = ApplicationCommunicator(application, scope(method, path, headers))
    half = len(body) // 2
    await communicator.send_input({"type": "http.request", "body": body[:half], "more_body": True})
    await communicator.send_input({"type": "http.request", "body": body[half:]})
    start = await communicator.receive_output(10)
    content = b""
    while True:
        message = await communicator.receive_output(10)
        content += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(10)  # the request's thread has closed the response
    return start["status"], dict(start["headers"]), content


async def test_a_json_request_in_two_parts_reaches_the_api_and_gets_its_answer():
    status, headers, content = await request(
        "POST",
        "/api/v1/auth/token/",
        b'{"username": "nobody", "password": "wrong-password"}',
        [(b"content-type", b"application/json")],
    )
    assert status == 400
    assert headers[b"content-type"] == b"application/json"
    assert b"username" in content or b"detail" in content or b"non_field_errors" in content


async def test_every_response_is_closed_so_database_connections_are_recycled():
    finished = []

    def record(sender, **kwargs):
        finished.append(sender)

    request_finished.connect(record)
    try:
        status, _headers, _content = await request("GET", "/api/v1/categories/")
    finally:
        request_finished.disconnect(record)
    assert status == 200
    assert finished


async def test_an_unknown_page_is_a_404_page():
    status, _headers, content = await request("GET", "/no-such-page/")
    assert status == 404
    assert content


class StreamedBody:
    """What Django's WSGI handler returns for a file download: an iterable with close()."""

    streaming = True

    def __init__(self, pieces):
        self.pieces, self.closed = pieces, False

    def __iter__(self):
        return iter(self.pieces)

    def close(self):
        self.closed = True


async def test_a_streaming_response_is_sent_piece_by_piece_and_closed():
    streamed = StreamedBody([b"first,", b"second,", b"third"])

    def download(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/pdf")])
        return streamed

    communicator = ApplicationCommunicator(WsgiOnThreads(download), scope("GET", "/file"))
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    pieces = []
    while True:
        message = await communicator.receive_output(10)
        if not message.get("more_body"):
            break
        pieces.append(message["body"])
    await communicator.wait(10)
    assert start["status"] == 200
    assert pieces == [b"first,", b"second,", b"third"]
    assert streamed.closed


async def test_a_response_is_cut_to_its_declared_length():
    def head_like(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"four and more"]

    communicator = ApplicationCommunicator(WsgiOnThreads(head_like), scope("GET", "/short"))
    await communicator.send_input({"type": "http.request", "body": b""})
    await communicator.receive_output(10)
    body = await communicator.receive_output(10)
    await communicator.wait(10)
    assert body == {"type": "http.response.body", "body": b"four"}


async def test_too_many_duplicate_headers_is_a_bad_request():
    headers = [(b"x-repeated", b"1")] * 101
    communicator = ApplicationCommunicator(application, scope("GET", "/api/v1/categories/", headers))
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    await communicator.receive_output(10)
    await communicator.wait(10)
    assert start["status"] == 400
