"""The processes of the embedded profile and how `run_centre` looks after them."""

import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_TIMEOUT_SECONDS = 15


def worker_command() -> list[str]:
    """One Celery worker with beat embedded: the embedded profile's only scheduler."""
    return [
        sys.executable,
        "-m",
        "celery",
        "--app",
        "gosupport",
        "worker",
        "--beat",
        "--pool",
        "threads",
        "--concurrency",
        "4",
        "--loglevel",
        "INFO",
        "--hostname",
        "centre@%h",
    ]


def web_command(host: str, port: int) -> list[str]:
    """daphne serves HTTP and WebSockets from the ASGI application."""
    return [sys.executable, "-m", "daphne", "--bind", host, "--port", str(port), "gosupport.asgi:application"]


def broker_folders_create() -> list[Path]:
    """The filesystem broker (no REDIS_URL) needs its folders before the first message."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    if not str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        return []
    folders = [Path(value) for key, value in options.items() if key.endswith("_folder") or "_folder_" in key]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def sqlite_folder_create(database: dict | None = None) -> Path | None:
    """A fresh clone has no var/: SQLite creates the file but not its folder."""
    database = database or settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or str(database["NAME"]).startswith(":memory:"):
        return None
    folder = Path(database["NAME"]).parent
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def children_environment() -> dict[str, str]:
    """Ours, plus one channel layer file for web and worker when there is no Redis."""
    environment = {**os.environ}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
    if not settings.REDIS_URL:
        environment.setdefault("EMBEDDED_CHANNEL_LAYER_FILE", str(Path(settings.VAR_DIR) / "channels.sqlite3"))
    return environment


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Centre:
    """Children in their own sessions, so a Ctrl-C reaches only us and we stop them in order."""

    children: list[Child]
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        environment = children_environment()
        for child in self.children:
            child.process = subprocess.Popen(
                child.command, cwd=settings.BASE_DIR, env=environment, start_new_session=True
            )

    def wait(self, poll_seconds: float = 0.5) -> Child | None:
        """Until a stop is asked for (None) or a child dies (that child)."""
        while not self.stopping.wait(poll_seconds):
            for child in self.children:
                if not child.running:
                    return child
        return None

    def request_stop(self, *_signal_args) -> None:
        self.stopping.set()

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM to every child (web first, then the worker finishes its task), then SIGKILL."""
        for child in reversed(self.children):
            if child.running:
                child.process.terminate()
        for child in reversed(self.children):
            if child.process is None:
                continue
            try:
                child.process.wait(timeout)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()

    def handle_signals(self) -> dict:
        previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
        for number in STOP_SIGNALS:
            signal.signal(number, self.request_stop)
        return previous
