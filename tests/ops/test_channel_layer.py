"""The production channel layer (gosupport.channel_layer) over a real Redis."""

import asyncio
import os
import uuid

import pytest
import redis
from redis.exceptions import ConnectionError as RedisConnectionError

from gosupport.channel_layer import PipelinedPubSubChannelLayer, _Inbox, _PipelinedShard

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis)")


def redis_url() -> str:
    return os.environ["REDIS_URL"]


def make_layer(**host) -> PipelinedPubSubChannelLayer:
    return PipelinedPubSubChannelLayer(hosts=[{"address": redis_url(), **host}], prefix=f"t{uuid.uuid4().hex[:8]}")


def pair_of_processes() -> tuple[PipelinedPubSubChannelLayer, PipelinedPubSubChannelLayer]:
    """Two layers on one prefix: what two daphne processes on one Redis see."""
    prefix = f"t{uuid.uuid4().hex[:8]}"
    return (
        PipelinedPubSubChannelLayer(hosts=[redis_url()], prefix=prefix),
        PipelinedPubSubChannelLayer(hosts=[redis_url()], prefix=prefix),
    )


async def receive(layer, channel, timeout: float = 5):
    return await asyncio.wait_for(layer.receive(channel), timeout)


@needs_redis
async def test_a_group_message_from_one_process_reaches_a_member_in_another():
    web, worker = pair_of_processes()
    channel = await web.new_channel()
    await web.group_add("chat.7", channel)
    await worker.group_send("chat.7", {"type": "frame.out", "frame": {"type": "message", "seq": 1}})
    assert await receive(web, channel) == {"type": "frame.out", "frame": {"type": "message", "seq": 1}}
    await web.flush()
    await worker.flush()


@needs_redis
async def test_sends_made_together_leave_in_pipelines_and_arrive_once_in_order(monkeypatch):
    batch_sizes = []
    publish_batch = _PipelinedShard._publish_batch

    async def recording(shard, batch):
        batch_sizes.append(len(batch))
        await publish_batch(shard, batch)

    monkeypatch.setattr(_PipelinedShard, "_publish_batch", recording)
    layer = make_layer()
    channel = await layer.new_channel()
    await layer.group_add("room", channel)
    await asyncio.gather(*(layer.group_send("room", {"type": "m", "n": n}) for n in range(200)))
    received = [(await receive(layer, channel))["n"] for _ in range(200)]
    assert received == list(range(200))
    assert sum(batch_sizes) == 200 and max(batch_sizes) > 1
    with pytest.raises(TimeoutError):
        await receive(layer, channel, timeout=0.3)
    await layer.flush()


@needs_redis
async def test_a_sender_that_gives_up_does_not_take_the_others_of_its_batch_with_it():
    layer = make_layer()
    channel = await layer.new_channel()
    await layer.group_add("room", channel)
    sends = [asyncio.ensure_future(layer.group_send("room", {"type": "m", "n": n})) for n in range(3)]
    await asyncio.sleep(0)  # all three are in the outbox
    sends[0].cancel()
    await asyncio.gather(sends[1], sends[2])
    received = set()
    while {1, 2} - received:
        received.add((await receive(layer, channel))["n"])
    await layer.flush()


async def test_every_send_of_a_failed_batch_fails_and_the_next_send_tries_again():
    layer = PipelinedPubSubChannelLayer(hosts=["redis://127.0.0.1:1/0"])
    results = await asyncio.gather(
        *(layer.group_send("room", {"type": "m", "n": n}) for n in range(3)), return_exceptions=True
    )
    assert all(isinstance(result, RedisConnectionError) for result in results)
    with pytest.raises(RedisConnectionError):
        await layer.group_send("room", {"type": "m", "n": 3})


@needs_redis
async def test_the_receiver_comes_back_after_redis_drops_its_connection():
    name = f"gs-test-{uuid.uuid4().hex[:8]}"
    prefix = f"t{uuid.uuid4().hex[:8]}"
    web = PipelinedPubSubChannelLayer(hosts=[{"address": redis_url(), "client_name": name}], prefix=prefix)
    worker = PipelinedPubSubChannelLayer(hosts=[redis_url()], prefix=prefix)
    channel = await web.new_channel()
    await web.group_add("room", channel)
    await worker.group_send("room", {"type": "m", "n": 0})
    assert (await receive(web, channel))["n"] == 0

    admin = redis.Redis.from_url(redis_url())
    killed = [client["id"] for client in admin.client_list(_type="pubsub") if client.get("name") == name]
    assert killed, "the layer's subscriber connection was not found"
    for client_id in killed:
        admin.client_kill_filter(_id=client_id)
    admin.close()

    for attempt in range(50):
        await worker.group_send("room", {"type": "m", "n": attempt + 1})
        try:
            message = await receive(web, channel, timeout=0.2)
        except TimeoutError:
            continue
        assert message["n"] >= 1
        break
    else:
        pytest.fail("no message arrived after the subscriber connection was dropped")
    await web.flush()
    await worker.flush()


class _PubSubTurningCancelIntoItsOwnError:
    """What redis-py can do when a read on a socket Redis just closed is cancelled."""

    subscribed = True

    async def get_message(self, **kwargs):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise RedisConnectionError("Connection closed by server.") from None


async def test_the_receiver_stops_when_cancelled_even_if_redis_py_turns_the_cancel_into_an_error():
    layer = PipelinedPubSubChannelLayer(hosts=["redis://127.0.0.1:1/0"])._get_layer()
    shard = layer._shards[0]
    shard._pubsub = _PubSubTurningCancelIntoItsOwnError()
    receiving = asyncio.ensure_future(shard._do_receiving())
    await asyncio.sleep(0)
    receiving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(receiving, 5)


async def test_an_inbox_keeps_messages_in_order_whether_they_come_before_or_after_the_read():
    inbox = _Inbox()
    inbox.put_nowait("first")
    inbox.put_nowait("second")
    assert await inbox.get() == "first"
    assert await inbox.get() == "second"
    reading = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("third")
    inbox.put_nowait("fourth")
    assert await reading == "third"
    assert await inbox.get() == "fourth"


async def test_an_inbox_whose_reader_gave_up_serves_the_next_read():
    inbox = _Inbox()
    reading = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    inbox.put_nowait("after")
    assert await asyncio.wait_for(inbox.get(), 5) == "after"


async def test_an_inbox_refuses_a_second_reader_at_once():
    inbox = _Inbox()
    reading = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await inbox.get()
    reading.cancel()


@needs_redis
async def test_a_caller_that_cancels_its_send_soon_future_leaves_the_sender_working():
    layer = make_layer()
    channel = await layer.new_channel()
    await layer.group_add("room", channel)
    layer.group_send_soon("room", {"type": "m", "n": 1}).cancel()
    await asyncio.wait_for(layer.group_send("room", {"type": "m", "n": 2}), 5)
    assert [(await receive(layer, channel))["n"] for _ in range(2)] == [1, 2]
    await layer.flush()


async def test_a_channel_that_could_not_subscribe_leaves_nothing_behind():
    layer = PipelinedPubSubChannelLayer(hosts=["redis://127.0.0.1:1/0"])
    with pytest.raises(RedisConnectionError):
        await layer.new_channel()
    assert layer._get_layer().channels == {}
