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
    parser.add_argument("--server", choices=["daphne", "gunicorn"], default="daphne", help="ASGI or WSGI server")
    parser.add_argument("--servers", type=int, default=4, help="server processes (daphne) or workers (gunicorn)")
    parser.add_argument("--clients", type=int, default=12, help="concurrent HTTP clients")
    parser.add_argument("--users", type=int, default=300, help="citizens the clients sign in as")
    parser.add_argument("--operators", type=int, default=5, help="online operators routing chooses from")
    parser.add_argument("--capacity", type=int, default=5, help="open appeals each operator may hold")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument(
        "--pool",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="servers use a PostgreSQL connection pool (bench/api_create_settings.py); default: the plain settings",
    )
    return parser.parse_args()


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.api_create_settings"
        if args.pool and args.server == "daphne"
        else "gosupport.settings",
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
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "DEBUG")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "gosupport.settings"
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
    OperatorProfile.objects.filter(user__username__startswith="bench-operator-").delete()
    for index in range(args.operators):
        operator, _ = User.objects.get_or_create(username=f"bench-operator-{index}", defaults={"role": Role.OPERATOR})
        OperatorProfile.objects.update_or_create(
            user=operator, defaults={"presence": Presence.ONLINE, "all_queues": True, "capacity": args.capacity}
        )
    citizens = [
        User.objects.get_or_create(username=f"bench-citizen-{index}", defaults={"email": f"c{index}@bench.local"})[0]
        for index in range(args.users)
    ]
    return [Token.objects.get_or_create(user=citizen)[0].key for citizen in citizens]


def start_servers(args: argparse.Namespace, env: dict[str, str]) -> tuple[list[subprocess.Popen], int]:
    """Every server process accepts on one listening socket handed down as a descriptor."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port, fd = listener.getsockname()[1], listener.fileno()
    log = open(SERVER_LOG, "w")  # the servers write to it until they stop
    if args.server == "daphne":
        commands = [
            [sys.executable, "-m", "daphne", "-v", "0", "--fd", str(fd), "gosupport.asgi:application"]
        ] * args.servers
    else:
        commands = [
            [sys.executable, "-m", "gunicorn", "--bind", f"fd://{fd}", "--workers", str(args.servers)]
            + ["--log-level", "warning", "gosupport.wsgi:application"]
        ]
    servers = [subprocess.Popen(cmd, cwd=ROOT, env=env, pass_fds=[fd], stdout=log, stderr=log) for cmd in commands]
    listener.close()
    wait_until_serving(port)
    return servers, port


def server_pids(servers: list[subprocess.Popen]) -> list[int]:
    """The server processes and their children (gunicorn's workers)."""
    pids = []
    for server in servers:
        pids.append(server.pid)
        for task in Path(f"/proc/{server.pid}/task").glob("*"):
            pids += [int(pid) for pid in (task / "children").read_text().split()]
    return pids


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


def drive(port: int, tokens: list[str], servers: list[subprocess.Popen], args: argparse.Namespace) -> dict:
    measure_from = time.monotonic() + args.warmup
    stop_at = measure_from + args.seconds
    share = max(len(tokens) // args.clients, 1)
    clients = [
        Client(port, tokens[index * share : (index + 1) * share] or tokens, measure_from, stop_at)
        for index in range(args.clients)
    ]
    for client in clients:
        client.start()
    time.sleep(max(measure_from - time.monotonic(), 0))
    before = cpu_snapshot(servers)
    for client in clients:
        client.join()
    return {"clients": clients, "cpu": cpu_spent(before, cpu_snapshot(servers))}


def process_cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(servers: list[subprocess.Popen]) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the server processes, of this database's PostgreSQL backends
    and of this process (the clients), and how many connections the database has had."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        sessions = cursor.fetchone()[0]
    return {
        "sessions": {0: float(sessions)},
        "servers": {pid: process_cpu_seconds(pid) for pid in server_pids(servers)},
        "postgres": {pid: process_cpu_seconds(pid) for pid in backends},
        "clients": {os.getpid(): time.process_time()},
    }


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    return {part: sum(seconds - before[part].get(pid, 0.0) for pid, seconds in after[part].items()) for part in after}


def machine_reference_us(rounds: int = 2000) -> float:
    """Client CPU of one `SELECT 1` round trip to PostgreSQL, in microseconds: this shared
    machine's speed changes by the hour, and syscalls slow down most; compare runs by it."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.process_time()
        for _ in range(rounds):
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return round((time.process_time() - started) * 1e6 / rounds, 1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def report(run: dict, args: argparse.Namespace) -> None:
    from tickets.models import Ticket

    clients, seconds = run["clients"], args.seconds
    latencies = [latency for client in clients for latency in client.latencies]
    statuses: dict[int, int] = {}
    for client in clients:
        for status, count in client.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    created = statuses.get(201, 0)
    sessions = int(run["cpu"].pop("sessions"))
    cpu_ms = {part: round(spent * 1000 / max(created, 1), 2) for part, spent in run["cpu"].items()}
    server_side_ms = cpu_ms["servers"] + cpu_ms["postgres"]
    figures = {
        "server": args.server,
        "server_processes": args.servers,
        "connection_pool": args.pool and args.server == "daphne",
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
        "cpu_ms_per_appeal": cpu_ms,
        "postgres_connections_opened": sessions,
        "ceiling_per_second_if_all_cores_served": round(os.cpu_count() * 1000 / server_side_ms, 1)
        if server_side_ms
        else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine_reference_select1_cpu_us": run["reference_us"],
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
    reference_us = machine_reference_us()
    servers, port = start_servers(args, env)
    try:
        run = drive(port, tokens, servers, args) | {"reference_us": reference_us}
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        empty_task_queue(args.redis_url)
    report(run, args)


if __name__ == "__main__":
    main()
