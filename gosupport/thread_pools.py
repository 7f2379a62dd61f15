"""Named thread pools of a process, made on first use: the event loop's doors hand blocking
work to them (HTTP requests, the chat's service calls). While a call runs, its thread knows
the event loop that awaits it, so code there can schedule a send on that loop without
waiting for it (chat.realtime)."""

import asyncio
import contextvars
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync

_pools: dict[tuple[str, int], ThreadPoolExecutor] = {}
_lock = threading.Lock()
_serving = threading.local()


def thread_pool(name: str, size: int) -> ThreadPoolExecutor:
    key = (name, max(1, size))
    with _lock:
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(max_workers=key[1], thread_name_prefix=name)
        return _pools[key]


async def run_on_pool(name: str, size: int, function, /, *args, **kwargs):
    """`function(*args, **kwargs)` on the named pool, in a copy of the caller's context.
    One hop there and one back: lighter than asgiref's SyncToAsync, which the per-frame and
    per-request paths measured."""
    loop = asyncio.get_running_loop()
    call = functools.partial(_serve, loop, function, args, kwargs)
    return await loop.run_in_executor(thread_pool(name, size), contextvars.copy_context().run, call)


def _serve(loop, function, args, kwargs):
    _serving.loop = loop
    try:
        return function(*args, **kwargs)
    finally:
        _serving.loop = None


def serving_event_loop():
    """The running event loop that awaits this thread's call, if any: a pool call's, or
    that of Channels' own database thread (asgiref's SyncToAsync)."""
    loop = getattr(_serving, "loop", None)
    if loop is None:
        threadlocal = SyncToAsync.threadlocal
        if getattr(threadlocal, "main_event_loop_pid", None) == os.getpid():
            loop = getattr(threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None
