"""Appeals created per second through the REST API, over real HTTP.

Starts N daphne processes (the production server) sharing one listening socket on
127.0.0.1, against PostgreSQL (database gs_bench_api by default) and Redis, seeds
citizens with API tokens, an SLA policy and online operators so routing runs, then
drives POST /api/v1/tickets/ from C concurrent keep-alive clients for S seconds and
prints the figures. Run from the repository root:

    .venv/bin/python bench/api_create.py [--servers 2] [--clients 12] [--seconds 20]

It prints figures; it asserts nothing about speed.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_LOG = Path("/tmp/gosupport-bench-api-servers.log")
TEXT = "Не могу войти в личный кабинет: после смены телефона не приходит код подтверждения."


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gs_bench_api")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--servers", type=int, default=2, help="daphne processes")
    parser.add_argument("--clients", type=int, default=12, help="concurrent HTTP clients")
    parser.add_argument("--users", type=int, default=300, help="citizens the clients sign in as")
    parser.add_argument("--operators", type=int, default=5, help="online operators routing chooses from")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    return parser.parse_args()


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gosupport.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "STAFF_2FA_REQUIRED": "false",
    }


def create_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(args: argparse.Namespace, env: dict[str, str]) -> list[str]:
    """Migrate, empty the appeal tables, seed the world; returns one token per citizen."""
    create_database(args.database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update({key: env[key] for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG")})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return seed(args)


def seed(args: argparse.Namespace) -> list[str]:
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from gosupport.models import Category, OperatorProfile, Presence, Role, User
    from tickets.models import Channel, SlaPolicy

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_rating, tickets_attachment, tickets_ticketevent, tickets_message, tickets_ticket, "
            "gosupport_notification CASCADE"
        )
    category, _ = Category.objects.get_or_create(slug="bench-account", defaults={"title": "Доступ к кабинету"})
    SlaPolicy.objects.get_or_create(
        name="bench form",
        defaults={"channel": Channel.FORM, "first_response_seconds": 86400, "resolution_seconds": 172800},
    )
    for index in range(args.operators):
        operator, _ = User.objects.get_or_create(username=f"bench-operator-{index}", defaults={"role": Role.OPERATOR})
        OperatorProfile.objects.update_or_create(
            user=operator, defaults={"presence": Presence.ONLINE, "all_queues": True, "capacity": 32000}
        )
    citizens = [
        User.objects.get_or_create(username=f"bench-citizen-{index}", defaults={"email": f"c{index}@bench.local"})[0]
        for index in range(args.users)
    ]
    return [Token.objects.get_or_create(user=citizen)[0].key for citizen in citizens]


def start_servers(count: int, env: dict[str, str]) -> tuple[list[subprocess.Popen], int]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    command = [sys.executable, "-m", "daphne", "-v", "0", "--fd", str(listener.fileno()), "gosupport.asgi:application"]
    log = open(SERVER_LOG, "w")  # the servers write to it until they stop
    servers = [
        subprocess.Popen(command, cwd=ROOT, env=env, pass_fds=[listener.fileno()], stdout=log, stderr=log)
        for _ in range(count)
    ]
    listener.close()
    wait_until_serving(port)
    return servers, port


def wait_until_serving(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/categories/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("daphne did not start")


class Client(threading.Thread):
    """One keep-alive connection posting appeals as a rotating set of citizens."""

    def __init__(self, port: int, tokens: list[str], measure_from: float, stop_at: float):
        super().__init__(daemon=True)
        self.port, self.tokens = port, tokens
        self.measure_from, self.stop_at = measure_from, stop_at
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = json.dumps({"category": "bench-account", "text": TEXT, "contact_email": "citizen@bench.local"})
        turn = 0
        while (now := time.monotonic()) < self.stop_at:
            token = self.tokens[turn % len(self.tokens)]
            turn += 1
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            try:
                connection.request("POST", "/api/v1/tickets/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
            if now >= self.measure_from:
                self.latencies.append(time.monotonic() - now)
                self.statuses[status] = self.statuses.get(status, 0) + 1


def drive(port: int, tokens: list[str], args: argparse.Namespace) -> tuple[list[Client], float]:
    measure_from = time.monotonic() + args.warmup
    stop_at = measure_from + args.seconds
    share = max(len(tokens) // args.clients, 1)
    clients = [
        Client(port, tokens[index * share : (index + 1) * share] or tokens, measure_from, stop_at)
        for index in range(args.clients)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return clients, args.seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def report(clients: list[Client], seconds: float, args: argparse.Namespace) -> None:
    from tickets.models import Ticket

    latencies = [latency for client in clients for latency in client.latencies]
    statuses: dict[int, int] = {}
    for client in clients:
        for status, count in client.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    created = statuses.get(201, 0)
    figures = {
        "servers": args.servers,
        "clients": args.clients,
        "citizens": args.users,
        "seconds": seconds,
        "created_201": created,
        "appeals_per_second": round(created / seconds, 1),
        "other_statuses": {str(status): count for status, count in statuses.items() if status != 201},
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50) * 1000, 1),
            "p95": round(percentile(latencies, 0.95) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
            "mean": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        },
        "appeals_in_database": Ticket.objects.count(),
        "server_log": str(SERVER_LOG),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))


def empty_task_queue(redis_url: str) -> None:
    """The notifications the appeals enqueue have no worker here; drop them (own Redis db)."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def main() -> None:
    args = parse_args()
    env = server_environment(args)
    tokens = prepare(args, env)
    empty_task_queue(args.redis_url)
    servers, port = start_servers(args.servers, env)
    try:
        clients, seconds = drive(port, tokens, args)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        empty_task_queue(args.redis_url)
    report(clients, seconds, args)


if __name__ == "__main__":
    main()
