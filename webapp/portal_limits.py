"""Per-client rate limit of the public portal: at most ``KB_PORTAL_RATE`` requests a minute from one
address (a sliding window, per process: with gunicorn's N workers a client may get up to N times
as many; put the bureau's reverse proxy limit in front for a hard bound)."""
from __future__ import annotations

import threading
import time
from collections import deque

WINDOW = 60.0
MAX_CLIENTS = 100_000  # beyond this many addresses, the oldest are forgotten


class ClientLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.lock = threading.Lock()
        self.hits: dict[str, deque] = {}

    def allow(self, client: str, now: float | None = None) -> tuple[bool, int]:
        """Whether ``client`` may make one more request now; else the seconds until it may."""
        if self.per_minute <= 0:
            return True, 0
        now = time.monotonic() if now is None else now
        with self.lock:
            hits = self.hits.pop(client, None) or deque()
            while hits and now - hits[0] >= WINDOW:
                hits.popleft()
            self.hits[client] = hits  # most recently seen last (dicts keep insertion order)
            if len(self.hits) > MAX_CLIENTS:
                del self.hits[next(iter(self.hits))]
            if len(hits) >= self.per_minute:
                return False, max(1, int(WINDOW - (now - hits[0])) + 1)
            hits.append(now)
            return True, 0
