"""A channel layer the processes of the embedded profile share through one SQLite file.

The in-memory layer lives inside one process: a frame sent from the Celery worker (a chat
offered to the next operator, an escalation) would never reach the sockets daphne holds.
Production uses Redis; without it `run_centre` points daphne and the worker at this file.
Receivers poll, so it is meant for one machine and a handful of sockets, nothing more."""

import asyncio
import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS layer_message ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, body TEXT NOT NULL, expires REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS layer_message_channel ON layer_message (channel, id)",
    "CREATE TABLE IF NOT EXISTS layer_group ("
    " name TEXT NOT NULL, channel TEXT NOT NULL, expires REAL NOT NULL, PRIMARY KEY (name, channel))",
)


class SqliteChannelLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(
        self, path, expiry=60, group_expiry=86400, capacity=100, channel_capacity=None, poll_seconds=0.05, **kwargs
    ):
        super().__init__(expiry=expiry, capacity=capacity, channel_capacity=channel_capacity, **kwargs)
        self.path = str(path)
        self.group_expiry = group_expiry
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    # Storage

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            for statement in SCHEMA:
                connection.execute(statement)
            self._connection = connection
        return self._connection

    def _write(self, work):
        """Run `work(connection)` in one immediate transaction; other processes wait their turn."""
        with self._lock:
            connection = self._connect()
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

    def _read(self, sql: str, params: tuple):
        with self._lock:
            return self._connect().execute(sql, params).fetchone()

    # Channels

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        stored = await asyncio.to_thread(self._write, lambda db: self._enqueue(db, channel, message))
        if not stored:
            raise ChannelFull(channel)

    def _enqueue(self, db: sqlite3.Connection, channel: str, message: dict) -> bool:
        now = time.time()
        db.execute("DELETE FROM layer_message WHERE channel = ? AND expires < ?", (channel, now))
        (waiting,) = db.execute("SELECT COUNT(*) FROM layer_message WHERE channel = ?", (channel,)).fetchone()
        if waiting >= self.get_capacity(channel):
            return False
        db.execute(
            "INSERT INTO layer_message (channel, body, expires) VALUES (?, ?, ?)",
            (channel, json.dumps(message), now + self.expiry),
        )
        return True

    async def receive(self, channel):
        self.require_valid_channel_name(channel)
        while True:
            waiting = await asyncio.to_thread(
                self._read,
                "SELECT 1 FROM layer_message WHERE channel = ? AND expires >= ? LIMIT 1",
                (channel, time.time()),
            )
            if waiting:
                message = await asyncio.to_thread(self._write, lambda db: self._dequeue(db, channel))
                if message is not None:
                    return message
            await asyncio.sleep(self.poll_seconds)

    def _dequeue(self, db: sqlite3.Connection, channel: str) -> dict | None:
        row = db.execute(
            "SELECT id, body FROM layer_message WHERE channel = ? AND expires >= ? ORDER BY id LIMIT 1",
            (channel, time.time()),
        ).fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM layer_message WHERE id = ?", (row[0],))
        return json.loads(row[1])

    async def new_channel(self, prefix="specific."):
        return f"{prefix}sqlite!{uuid.uuid4().hex}"

    # Groups

    async def group_add(self, group, channel):
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        await asyncio.to_thread(
            self._write,
            lambda db: db.execute(
                "INSERT OR REPLACE INTO layer_group (name, channel, expires) VALUES (?, ?, ?)",
                (group, channel, time.time() + self.group_expiry),
            ),
        )

    async def group_discard(self, group, channel):
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        await asyncio.to_thread(
            self._write,
            lambda db: db.execute("DELETE FROM layer_group WHERE name = ? AND channel = ?", (group, channel)),
        )

    async def group_send(self, group, message):
        """Every member gets the message; a full channel misses it, as with channels_redis."""
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        await asyncio.to_thread(self._write, lambda db: self._fan_out(db, group, message))

    def _fan_out(self, db: sqlite3.Connection, group: str, message: dict) -> None:
        now = time.time()
        db.execute("DELETE FROM layer_group WHERE expires < ?", (now,))
        members = [row[0] for row in db.execute("SELECT channel FROM layer_group WHERE name = ?", (group,))]
        for channel in members:
            self._enqueue(db, channel, message)

    async def flush(self):
        await asyncio.to_thread(
            self._write, lambda db: (db.execute("DELETE FROM layer_message"), db.execute("DELETE FROM layer_group"))
        )

    async def close(self):
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
