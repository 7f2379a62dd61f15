"""The consumers' loop (chat.consumers._dispatch_in_arrival_order): both sources, in order, one at a time."""

import asyncio

import pytest
from channels.exceptions import StopConsumer

from chat.consumers import _dispatch_in_arrival_order


def queue_source(queue: asyncio.Queue):
    return queue.get


async def test_messages_of_both_sources_are_dispatched_in_arrival_order_one_at_a_time():
    socket, layer = asyncio.Queue(), asyncio.Queue()
    dispatched, busy = [], []

    async def dispatch(message):
        busy.append(message)
        assert len(busy) == 1, "two messages were dispatched at once"
        await asyncio.sleep(0)
        dispatched.append(message)
        busy.pop()
        if message == "disconnect":
            raise StopConsumer

    for message in ("connect", "frame 1"):
        socket.put_nowait(message)
    loop_done = asyncio.ensure_future(_dispatch_in_arrival_order((queue_source(socket), queue_source(layer)), dispatch))
    await asyncio.sleep(0.01)
    layer.put_nowait("broadcast 1")
    await asyncio.sleep(0.01)
    socket.put_nowait("frame 2")
    socket.put_nowait("disconnect")
    with pytest.raises(StopConsumer):
        await asyncio.wait_for(loop_done, 5)
    assert dispatched == ["connect", "frame 1", "broadcast 1", "frame 2", "disconnect"]


async def test_a_failing_source_stops_the_loop_with_its_error_and_the_readers_are_cancelled():
    layer = asyncio.Queue()
    waiting_on_layer = []

    async def failing_socket():
        raise ConnectionResetError("socket gone")

    async def layer_source():
        waiting_on_layer.append(asyncio.current_task())
        return await layer.get()

    async def dispatch(message):
        pass

    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(_dispatch_in_arrival_order((failing_socket, layer_source), dispatch), 5)
    assert waiting_on_layer and all(task.done() for task in waiting_on_layer)


async def test_cancelling_the_consumer_cancels_its_readers():
    socket, layer = asyncio.Queue(), asyncio.Queue()
    readers = []

    async def watched(queue):
        readers.append(asyncio.current_task())
        return await queue.get()

    async def dispatch(message):
        pass

    loop_done = asyncio.ensure_future(
        _dispatch_in_arrival_order((lambda: watched(socket), lambda: watched(layer)), dispatch)
    )
    await asyncio.sleep(0.01)
    loop_done.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop_done
    assert len(readers) == 2 and all(task.cancelled() for task in readers)


async def test_a_message_read_while_the_loop_was_stopping_is_not_dispatched():
    socket, layer = asyncio.Queue(), asyncio.Queue()
    dispatched = []

    async def dispatch(message):
        dispatched.append(message)
        if message == "disconnect":
            await asyncio.sleep(0.01)  # the layer's reader gets its message meanwhile and waits its turn
            raise StopConsumer

    socket.put_nowait("disconnect")
    loop_done = asyncio.ensure_future(_dispatch_in_arrival_order((queue_source(socket), queue_source(layer)), dispatch))
    await asyncio.sleep(0)
    layer.put_nowait("frame after the disconnect")
    with pytest.raises(StopConsumer):
        await asyncio.wait_for(loop_done, 5)
    assert dispatched == ["disconnect"]
