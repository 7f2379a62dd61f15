"""The production channel layer: channels_redis's pub/sub layer with a cheaper path per frame.

channels_redis (4.3) sends each group message as its own PUBLISH under a lock per Redis
shard, so publishes leave one round trip at a time, and its receiver waits for each
incoming message under a 100 ms timeout (and sleeps 100 ms at a time while the process
has no subscription yet). Under chat load that was about a quarter of daphne's CPU.
Here the PUBLISHes asked for while one batch is on the wire leave together in the next
pipeline, in the order they were asked for; the receiver blocks on the socket and is
woken by the first subscription; and each socket's channel holds its messages in an
`_Inbox` rather than an asyncio.Queue (four deques, ~2.5 KB per idle socket). The layer
stays at-most-once: a failed pipeline fails every send in it, and the database remains
the chat's truth."""

import asyncio
import collections
import logging

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close

logger = logging.getLogger(__name__)

RECEIVE_ERROR_PAUSE_SECONDS = 1.0


class _Inbox:
    """The messages of one channel in this process, for its one reader (the consumer)."""

    __slots__ = ("_messages", "_reader")

    def __init__(self):
        self._messages: collections.deque | None = None
        self._reader: asyncio.Future | None = None

    def put_nowait(self, message) -> None:
        if self._reader is not None and not self._reader.done():
            self._reader.set_result(message)
            return
        if self._messages is None:
            self._messages = collections.deque()
        self._messages.append(message)

    async def get(self):
        if self._messages:
            return self._messages.popleft()
        if self._reader is not None:
            raise RuntimeError("a channel has one reader: its consumer")
        self._reader = asyncio.get_running_loop().create_future()
        try:
            return await self._reader
        finally:
            self._reader = None


class _PipelinedShard(RedisSingleShardConnection):
    def __init__(self, host, channel_layer):
        super().__init__(host, channel_layer)
        self._outbox: list[tuple[str, bytes]] = []
        self._outbox_sent: asyncio.Future | None = None
        self._sender: asyncio.Task | None = None
        self._subscribed = asyncio.Event()

    def publish_soon(self, channel, message) -> asyncio.Future:
        """Queue a PUBLISH; the future it returns (shared by its batch) completes when the batch was sent."""
        if self._outbox_sent is None:
            self._outbox_sent = asyncio.get_running_loop().create_future()
        self._outbox.append((channel, message))
        if self._sender is None:
            self._sender = asyncio.ensure_future(self._send_outbox())
        return self._outbox_sent

    async def publish(self, channel, message):
        # Shielded: a sender that gives up must not cancel the batch for the others in it.
        await asyncio.shield(self.publish_soon(channel, message))

    async def _send_outbox(self):
        try:
            while self._outbox:
                batch, sent = self._outbox, self._outbox_sent
                self._outbox, self._outbox_sent = [], None
                try:
                    await self._publish_batch(batch)
                except Exception as error:  # every send of the batch learns it failed
                    if not sent.done():  # a caller of publish_soon may have cancelled it
                        sent.set_exception(error)
                        sent.exception()  # retrieved here too: its senders may all have gone
                else:
                    if not sent.done():
                        sent.set_result(None)
        finally:
            self._sender = None

    async def _publish_batch(self, batch):
        self._ensure_redis()
        if len(batch) == 1:
            await self._redis.publish(*batch[0])
            return
        pipeline = self._redis.pipeline(transaction=False)
        for channel, message in batch:
            pipeline.publish(channel, message)
        await pipeline.execute()

    async def subscribe(self, channel):
        await super().subscribe(channel)
        self._subscribed.set()

    async def _do_receiving(self):
        while True:
            try:
                if not self._pubsub or not self._pubsub.subscribed:
                    self._subscribed.clear()
                    await self._subscribed.wait()
                    continue
                self._receive_message(await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=None))
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception:
                if asyncio.current_task().cancelling():
                    # redis-py can turn the cancel of a read on a dropped socket into its own error.
                    raise asyncio.CancelledError from None
                logger.exception("channel layer: receiving failed; retrying")
                await asyncio.sleep(RECEIVE_ERROR_PAUSE_SECONDS)


class _PipelinedLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards = [_PipelinedShard(shard.host, self) for shard in self._shards]

    async def _subscribe_to_channel(self, channel):
        self.channels[channel] = _Inbox()
        try:
            await self._get_shard(channel).subscribe(channel)
        except BaseException:
            del self.channels[channel]  # a socket refused while Redis is away leaves nothing behind
            raise


class PipelinedPubSubChannelLayer(RedisPubSubChannelLayer):
    """`RedisPubSubChannelLayer` with pipelined publishes and a blocking receiver. The hot
    calls are methods here rather than channels_redis's `__getattr__` proxy per call."""

    _last: tuple | None = None  # (loop, layer), one attribute so that threads read a matching pair

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0] is loop:  # daphne runs one loop: skip the lookup on every frame
            return last[1]
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _PipelinedLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        self._last = (loop, layer)
        return layer

    async def receive(self, channel):
        return await self._get_layer().receive(channel)

    async def send(self, channel, message):
        await self._get_layer().send(channel, message)

    async def group_send(self, group, message):
        await self._get_layer().group_send(group, message)

    def group_send_soon(self, group, message) -> asyncio.Future:
        """`group_send` without a task of its own, for senders that do not wait (chat.realtime):
        the message is queued at once; the future completes when its batch was sent."""
        layer = self._get_layer()
        group_channel = layer._get_group_channel_name(group)
        return layer._get_shard(group_channel).publish_soon(group_channel, self.serialize(message))
