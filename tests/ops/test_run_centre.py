import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from gosupport.management.centre import (
    Centre,
    Child,
    broker_folders_create,
    children_environment,
    port_is_free,
    sqlite_folder_create,
    web_command,
    worker_command,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_worker_runs_celery_with_exactly_one_embedded_beat():
    command = worker_command()
    assert command[:3] == [sys.executable, "-m", "celery"]
    assert command[command.index("--app") + 1] == "gosupport"
    assert command.count("--beat") == 1 and "worker" in command


def test_web_serves_the_asgi_application_on_the_given_address():
    command = web_command("0.0.0.0", 8123)
    assert command[:3] == [sys.executable, "-m", "daphne"]
    assert command[command.index("--bind") + 1] == "0.0.0.0"
    assert command[command.index("--port") + 1] == "8123"
    assert command[-1] == "gosupport.asgi:application"


def test_filesystem_broker_folders_are_created(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "broker"),
        "data_folder_out": str(tmp_path / "broker"),
        "processed_folder": str(tmp_path / "broker" / "processed"),
        "control_folder": str(tmp_path / "broker" / "control"),
        "store_processed": False,
    }
    broker_folders_create()
    assert {p.name for p in (tmp_path / "broker").iterdir()} == {"processed", "control"}


def test_redis_broker_needs_no_folders(settings, tmp_path):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/5"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "broker")}
    assert broker_folders_create() == []
    assert not (tmp_path / "broker").exists()


def test_a_taken_port_is_detected():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert not port_is_free("127.0.0.1", taken.getsockname()[1])


def test_stop_ends_every_child():
    centre = Centre(children=[Child("worker", SLEEPER), Child("web", SLEEPER)])
    centre.start()
    try:
        assert all(child.running for child in centre.children)
        centre.request_stop()
        assert centre.wait(poll_seconds=0.05) is None
    finally:
        centre.stop(timeout=5)
    assert not any(child.running for child in centre.children)


def test_a_dying_child_is_reported_and_the_others_are_stopped():
    quitter = [sys.executable, "-c", "raise SystemExit(3)"]
    centre = Centre(children=[Child("worker", SLEEPER), Child("web", quitter)])
    centre.start()
    try:
        died = centre.wait(poll_seconds=0.05)
    finally:
        centre.stop(timeout=5)
    assert died.name == "web" and died.process.returncode == 3
    assert not centre.children[0].running


def test_a_child_that_ignores_sigterm_is_killed(tmp_path):
    ready = tmp_path / "ready"
    stubborn = [
        sys.executable,
        "-c",
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "pathlib.Path(sys.argv[1]).touch(); time.sleep(60)",
        str(ready),
    ]
    centre = Centre(children=[Child("worker", stubborn)])
    centre.start()
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    centre.stop(timeout=0.5)
    assert centre.children[0].process.returncode == -signal.SIGKILL


class FakeCentre(Centre):
    """Records the wiring instead of starting processes."""

    started: list["FakeCentre"] = []

    def start(self):
        FakeCentre.started.append(self)
        for child in self.children:
            child.process = subprocess.Popen(SLEEPER)
        self.request_stop()


@pytest.mark.django_db
def test_run_centre_migrates_seeds_then_starts_worker_and_web_and_stops_them(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr("gosupport.management.commands.run_centre.call_command", lambda *a, **k: calls.append(a[0]))
    monkeypatch.setattr("gosupport.management.commands.run_centre.Centre", FakeCentre)
    monkeypatch.setattr("gosupport.management.commands.run_centre.port_is_free", lambda host, port: True)
    FakeCentre.started.clear()
    call_command("run_centre", "--host", "0.0.0.0", "--port", "8123", "--appeals", "0")
    assert calls[0] == "migrate"
    centre = FakeCentre.started[0]
    assert [child.name for child in centre.children] == ["worker", "web"]
    assert centre.children[0].command == worker_command()
    assert centre.children[1].command == web_command("0.0.0.0", 8123)
    assert not any(child.running for child in centre.children)
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in printed and "supervisor" in printed and "ivan.petrov@example.ru" in printed


@pytest.mark.django_db
def test_run_centre_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("run_centre", "--port", "8123")


@pytest.mark.django_db
def test_run_centre_refuses_a_taken_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(CommandError, match="in use"):
            call_command("run_centre", "--port", str(taken.getsockname()[1]))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str, deadline: float) -> int:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in time")


@pytest.mark.slow
def test_run_centre_serves_pages_and_stops_its_children_on_sigterm(tmp_path):
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'centre.sqlite3'}",
        "REDIS_URL": "",
        "EMBEDDED_CHANNEL_LAYER_FILE": str(tmp_path / "channels.sqlite3"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "gosupport.settings",
    }
    log = (tmp_path / "centre.log").open("w+")
    centre = subprocess.Popen(
        [sys.executable, "manage.py", "run_centre", "--port", str(port), "--appeals", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        assert _fetch(f"http://127.0.0.1:{port}/api/schema/", deadline) == 200
        assert _fetch(f"http://127.0.0.1:{port}/help/", deadline) == 200
        centre.send_signal(signal.SIGTERM)
        assert centre.wait(timeout=60) == 0
    finally:
        if centre.poll() is None:
            centre.kill()
    output = Path(log.name).read_text()
    pids = [int(pid) for pid in re.search(r"worker (\d+), web (\d+)", output).groups()]
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_a_fresh_clone_gets_the_sqlite_folder(tmp_path):
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "var" / "db.sqlite3")}
    assert sqlite_folder_create(database) == tmp_path / "var"
    assert (tmp_path / "var").is_dir()


def test_postgresql_needs_no_folder():
    assert sqlite_folder_create({"ENGINE": "django.db.backends.postgresql", "NAME": "gosupport"}) is None


def test_without_redis_web_and_worker_share_one_channel_layer_file(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("EMBEDDED_CHANNEL_LAYER_FILE", raising=False)
    settings.REDIS_URL = ""
    settings.VAR_DIR = tmp_path
    assert children_environment()["EMBEDDED_CHANNEL_LAYER_FILE"] == str(tmp_path / "channels.sqlite3")


def test_with_redis_the_children_use_redis(settings, monkeypatch):
    monkeypatch.delenv("EMBEDDED_CHANNEL_LAYER_FILE", raising=False)
    settings.REDIS_URL = "redis://127.0.0.1:6379/5"
    assert "EMBEDDED_CHANNEL_LAYER_FILE" not in children_environment()
