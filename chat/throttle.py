"""Flood control for sockets: a token bucket per connection."""

import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """Allows `rate` frames a second on average and bursts of up to `burst`."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self):
        self.tokens = self.burst
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
