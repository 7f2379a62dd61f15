"""Named thread pools of a process, made on first use (the event loop's doors hand blocking
work to them: HTTP requests, the chat's service calls)."""

import threading
from concurrent.futures import ThreadPoolExecutor

_pools: dict[tuple[str, int], ThreadPoolExecutor] = {}
_lock = threading.Lock()


def thread_pool(name: str, size: int) -> ThreadPoolExecutor:
    key = (name, max(1, size))
    with _lock:
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(max_workers=key[1], thread_name_prefix=name)
        return _pools[key]
