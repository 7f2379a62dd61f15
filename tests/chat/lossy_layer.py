"""A channel layer that silently drops a share of group sends, like an overloaded layer."""

import random

from channels.layers import InMemoryChannelLayer


class LossyInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, drop_rate: float = 0.05, seed: int = 7, **kwargs):
        super().__init__(**kwargs)
        self.drop_rate = drop_rate
        self.random = random.Random(seed)
        self.dropped = 0

    async def group_send(self, group, message):
        if message.get("frame", {}).get("type") == "message" and self.random.random() < self.drop_rate:
            self.dropped += 1
            return
        await super().group_send(group, message)
