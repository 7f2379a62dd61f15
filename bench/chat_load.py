"""Live-chat load on the production profile, beside the shared perf floor, in one run.

    .venv/bin/python bench/chat_load.py [--rooms 50] [--per-room 100] [--room-n 1000] [--no-floor]

Starts one daphne process of gosupport (PostgreSQL, Redis channel layer, every message
persisted through the chat service) and, unless --no-floor, the floor's naive
Channels+Redis+PostgreSQL app (`../shared/perf-floor/chatproj`, capacity 1000, persistent
connections) on the same machine, drives both with the same shapes of load and prints
one JSON object with the figures and the ratios gosupport / floor.

Scenarios (a citizen socket A and an operator socket B per room):
  room    one room, A sends, B receives, N sequential messages: light-load latency
  fanout  R rooms, each A sends M messages with at most W in flight: delivered messages
          per second, loaded latency and lost messages
  conns   N idle sockets opened 100 at once, server memory per 1,000 and handshake errors
Databases: gs_bench_chat (created and migrated here) and the floor's `perf` (created here).
Never run by pytest; every loop is bounded in count and time.
"""

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT.parent / "shared" / "perf-floor"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gs_bench_chat"
REDIS_URL = "redis://127.0.0.1:6379/14"
PAD = "x" * 80
MSG_TIMEOUT = 5.0
BOT_QUESTION = "Не могу войти в личный кабинет, забыл пароль"


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def latency_summary(ns: list[int]) -> dict:
    ms = [v / 1e6 for v in ns]
    return {"n": len(ms), "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99), "max_ms": max(ms, default=None)}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def psql(sql: str, database: str = "postgres") -> str:
    command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


# --- gosupport -------------------------------------------------------------------------


def gosupport_env() -> dict:
    return dict(
        os.environ,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        DJANGO_SETTINGS_MODULE="gosupport.settings",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="600",
        CELERY_TASK_ALWAYS_EAGER="true",
        EMAIL_URL="dummymail://",
        STAFF_2FA_REQUIRED="false",
        API_THROTTLE_USER="1000000/min",
        CHAT_FRAMES_PER_SECOND="100000",
        CHAT_FRAMES_BURST="100000",
    )


def prepare_gosupport(rooms: int, fresh: int) -> dict:
    """Migrate the bench database and make `rooms` chats, each with a citizen and an operator,
    plus `fresh` chats still with the bot (for the bot-answer and offer figures)."""
    if psql("SELECT 1 FROM pg_database WHERE datname='gs_bench_chat'") != "1":
        psql("CREATE DATABASE gs_bench_chat")
    script = f"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rest_framework.authtoken.models import Token
from chat.models import ChatSession, Phase
from gosupport.models import Category, OperatorProfile, Presence, Role, User
from tickets.models import Ticket
from chat.services import chat_open, chat_handoff, chat_accept
category, _ = Category.objects.get_or_create(slug="bench-chat", defaults={{"title": "Bench chat"}})
operator, _ = User.objects.get_or_create(username="bench-operator", defaults={{"role": Role.OPERATOR}})
profile, _ = OperatorProfile.objects.get_or_create(user=operator, defaults={{"all_queues": True}})
OperatorProfile.objects.filter(pk=profile.pk).update(capacity=30000, presence=Presence.ONLINE)
rooms = []
for n in range({rooms}):
    citizen, _ = User.objects.get_or_create(username=f"bench-chat-citizen-{{n}}", defaults={{"email": f"bc{{n}}@example.ru"}})
    session = ChatSession.objects.filter(ticket__citizen=citizen, phase=Phase.ASSIGNED).select_related("ticket").first()
    if session is None:
        ticket = chat_open(citizen=citizen, text="Нужна помощь оператора", category=category)
        chat_handoff(ticket=ticket, actor=citizen)
        chat_accept(ticket=ticket, operator=operator)
    else:
        ticket = session.ticket
    rooms.append({{"number": ticket.number, "citizen": Token.objects.get_or_create(user=citizen)[0].key}})
call_command("import_kb", "knowledgebase/fixtures/faq.json", verbosity=0)
desk, _ = User.objects.get_or_create(username="bench-desk-operator", defaults={{"role": Role.OPERATOR}})
desk_profile, _ = OperatorProfile.objects.get_or_create(user=desk, defaults={{"all_queues": True}})
OperatorProfile.objects.filter(pk=desk_profile.pk).update(capacity=30000, presence=Presence.OFFLINE)
fresh = []
for n in range({fresh}):
    citizen, _ = User.objects.get_or_create(username=f"bench-bot-citizen-{{n}}", defaults={{"email": f"bb{{n}}@example.ru"}})
    ticket = chat_open(citizen=citizen, text="Здравствуйте", category=category)
    fresh.append({{"number": ticket.number, "citizen": Token.objects.get_or_create(user=citizen)[0].key}})
print(json.dumps({{
    "operator": Token.objects.get_or_create(user=operator)[0].key, "rooms": rooms,
    "desk": Token.objects.get_or_create(user=desk)[0].key, "fresh": fresh,
}}))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=gosupport_env(), capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"preparing the rooms failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_gosupport(port: int) -> subprocess.Popen:
    log = open(ROOT / "var" / "bench-chat-daphne.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "gosupport.asgi:application"],
        cwd=ROOT,
        env=gosupport_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=raise_nofile,
    )
    wait_port(port)
    time.sleep(1)
    return process


class GosupportProtocol:
    """Our frames: A sends a message frame and gets an ack; B gets the stored message."""

    def __init__(self, base: str, plan: dict):
        self.base, self.plan = base, plan

    def url(self, room: int) -> str:
        return f"{self.base}/ws/chat/{self.plan['rooms'][room]['number']}/"

    def headers(self, room: int, side: str) -> dict:
        token = self.plan["rooms"][room]["citizen"] if side == "A" else self.plan["operator"]
        return {"Authorization": f"Token {token}"}

    @staticmethod
    def outgoing(index: int) -> str:
        return json.dumps({"type": "message", "client_id": str(uuid.uuid4()), "text": f"{index}|{PAD}"})

    @staticmethod
    def incoming_index(raw: str) -> int | None:
        frame = json.loads(raw)
        if frame.get("type") != "message" or frame.get("author") != "citizen":
            return None
        return int(frame["text"].split("|", 1)[0])


# --- the floor -------------------------------------------------------------------------


def floor_env() -> dict:
    return dict(
        os.environ,
        LAYER="redis",
        PERSIST="1",
        DB_CONN_MAX_AGE="none",
        CAPACITY="1000",
        PYTHONPATH=str(FLOOR / "chatproj"),
        DJANGO_SETTINGS_MODULE="chatproj.settings",
    )


def prepare_floor() -> None:
    if psql("SELECT 1 FROM pg_roles WHERE rolname='perf'") != "1":
        psql("CREATE ROLE perf LOGIN PASSWORD 'perf'")
    if psql("SELECT 1 FROM pg_database WHERE datname='perf'") != "1":
        psql("CREATE DATABASE perf OWNER perf")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=FLOOR / "chatproj",
        env=floor_env(),
        check=True,
        capture_output=True,
    )
    psql("TRUNCATE chat_message", database="perf")


def start_floor(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "chatproj.asgi:application"],
        cwd=FLOOR / "chatproj",
        env=floor_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=raise_nofile,
    )
    wait_port(port)
    time.sleep(1)
    return process


class FloorProtocol:
    def __init__(self, base: str):
        self.base = base
        self.tag = uuid.uuid4().hex[:8]

    def url(self, room: int) -> str:
        return f"{self.base}/ws/room/b{self.tag}{room}/"

    def headers(self, room: int, side: str) -> dict:
        return {}

    @staticmethod
    def outgoing(index: int) -> str:
        return f"{index}|{PAD}"

    @staticmethod
    def incoming_index(raw: str) -> int | None:
        return int(raw.split("|", 1)[0])


# --- load shapes -----------------------------------------------------------------------


async def connect(protocol, room: int, side: str):
    from websockets.asyncio.client import connect as ws_connect

    return await ws_connect(protocol.url(room), additional_headers=protocol.headers(room, side), max_queue=None)


async def drive_room(protocol, room: int, messages: int, window: int, record: list, counts: dict):
    """A sends `messages` with at most `window` unanswered; B's arrivals give latency."""
    a, b = await connect(protocol, room, "A"), await connect(protocol, room, "B")
    sent_at: dict[int, int] = {}
    slots = asyncio.Semaphore(window)
    finished = asyncio.Event()

    async def read_b():
        async for raw in b:
            index = protocol.incoming_index(raw)
            started = sent_at.pop(index, None) if index is not None else None
            if started is not None:
                record.append(time.perf_counter_ns() - started)
                counts["received"] += 1
                slots.release()
                if not sent_at and counts_done(index):
                    finished.set()

    def counts_done(index: int) -> bool:
        return index >= messages - 1

    async def drain_a():
        async for _raw in a:
            pass

    readers = [asyncio.create_task(read_b()), asyncio.create_task(drain_a())]
    try:
        for index in range(messages):
            try:
                await asyncio.wait_for(slots.acquire(), MSG_TIMEOUT)
            except TimeoutError:
                break
            sent_at[index] = time.perf_counter_ns()
            await a.send(protocol.outgoing(index))
            counts["sent"] += 1
        try:
            await asyncio.wait_for(finished.wait(), MSG_TIMEOUT)
        except TimeoutError:
            pass
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await a.close()
        await b.close()


async def scenario_room(protocol, n: int) -> dict:
    record: list[int] = []
    counts = {"sent": 0, "received": 0}
    await drive_room(protocol, 0, 50, 1, [], {"sent": 0, "received": 0})  # warm-up
    await drive_room(protocol, 0, n, 1, record, counts)
    return {"scenario": "room", **latency_summary(record), "lost": counts["sent"] - counts["received"]}


async def scenario_fanout(protocol, rooms: int, per_room: int, window: int, server_pid: int) -> dict:
    record: list[int] = []
    counts = {"sent": 0, "received": 0}
    cpu0, started = cpu_seconds(server_pid), time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(drive_room(protocol, r, per_room, window, record, counts) for r in range(rooms))), 300
    )
    elapsed = time.perf_counter() - started
    return {
        "scenario": "fanout",
        "rooms": rooms,
        "per_room": per_room,
        "window": window,
        "sent": counts["sent"],
        "delivered": counts["received"],
        "lost": counts["sent"] - counts["received"],
        "msgs_per_s": counts["received"] / elapsed,
        "elapsed_s": elapsed,
        "server_cpu_us_per_msg": (cpu_seconds(server_pid) - cpu0) * 1e6 / max(counts["received"], 1),
        **{f"loaded_{k}": v for k, v in latency_summary(record).items() if k != "n"},
    }


async def scenario_conns(protocol, total: int, server_pid: int) -> dict:
    before = rss_mb(server_pid)
    sockets, errors = [], 0
    batch = 100
    for start in range(0, total, batch):
        results = await asyncio.gather(
            *(
                connect(protocol, (start + i) % len(getattr(protocol, "plan", {"rooms": [0]})["rooms"]), "A")
                for i in range(min(batch, total - start))
            ),
            return_exceptions=True,
        )
        errors += sum(isinstance(r, Exception) for r in results)
        sockets += [r for r in results if not isinstance(r, Exception)]
    await asyncio.sleep(2)
    after = rss_mb(server_pid)
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return {
        "scenario": "conns",
        "target": total,
        "connected": len(sockets),
        "errors": errors,
        "server_mb_per_1000": (after - before) * 1000 / max(len(sockets), 1),
    }


async def scenario_bot(base: str, chats: list[dict]) -> dict:
    """A citizen asks the bot a question; the time until the bot's answer arrives."""
    from websockets.asyncio.client import connect as ws_connect

    timings = []
    for chat in chats:
        headers = {"Authorization": f"Token {chat['citizen']}"}
        async with ws_connect(f"{base}/ws/chat/{chat['number']}/", additional_headers=headers) as ws:
            started = time.perf_counter_ns()
            await ws.send(json.dumps({"type": "message", "client_id": str(uuid.uuid4()), "text": BOT_QUESTION}))
            async with asyncio.timeout(MSG_TIMEOUT):
                while json.loads(await ws.recv()).get("author") != "bot":
                    pass
            timings.append(time.perf_counter_ns() - started)
    return {"scenario": "bot", **latency_summary(timings), "p95_ms": percentile([t / 1e6 for t in timings], 95)}


async def scenario_offer(base: str, desk_token: str, chats: list[dict]) -> dict:
    """A citizen asks for a person; the time until a free operator's desk gets the offer."""
    from websockets.asyncio.client import connect as ws_connect

    timings, missed = [], 0
    async with ws_connect(f"{base}/ws/operator/", additional_headers={"Authorization": f"Token {desk_token}"}) as desk:
        await desk.send(json.dumps({"type": "presence", "status": "online"}))
        await asyncio.sleep(0.5)
        for chat in chats:
            headers = {"Authorization": f"Token {chat['citizen']}"}
            async with ws_connect(f"{base}/ws/chat/{chat['number']}/", additional_headers=headers) as ws:
                started = time.perf_counter_ns()
                await ws.send(json.dumps({"type": "handoff"}))
                try:
                    async with asyncio.timeout(MSG_TIMEOUT):
                        while json.loads(await desk.recv()).get("ticket") != chat["number"]:
                            pass
                    timings.append(time.perf_counter_ns() - started)
                except TimeoutError:
                    missed += 1
        await desk.send(json.dumps({"type": "presence", "status": "offline"}))
    return {"scenario": "offer", **latency_summary(timings), "missed": missed}


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def run_target(name: str, start, protocol_for, args) -> dict:
    port = 8790 if name == "gosupport" else 8791
    subprocess.run(["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "FLUSHDB"], check=False, capture_output=True)
    process = start(port)
    try:
        protocol = protocol_for(f"ws://127.0.0.1:{port}")
        results = {
            "room": asyncio.run(scenario_room(protocol, args.room_n)),
            "fanout": asyncio.run(scenario_fanout(protocol, args.rooms, args.per_room, args.window, process.pid)),
        }
        if name == "gosupport" and args.bot:
            fresh = protocol.plan["fresh"]
            results["bot"] = asyncio.run(scenario_bot(protocol.base, fresh[: args.bot]))
            results["offer"] = asyncio.run(scenario_offer(protocol.base, protocol.plan["desk"], fresh[args.bot :]))
        # Last: the server is still unsubscribing thousands of closed sockets for a while after.
        if args.conns:
            results["conns"] = asyncio.run(scenario_conns(protocol, args.conns, process.pid))
        return results
    finally:
        stop(process)


def ratios(ours: dict, floor: dict) -> dict:
    def ratio(a, b):
        return round(a / b, 2) if a is not None and b else None

    return {
        "room_p50_x": ratio(ours["room"]["p50_ms"], floor["room"]["p50_ms"]),
        "room_p99_x": ratio(ours["room"]["p99_ms"], floor["room"]["p99_ms"]),
        "fanout_throughput_x": ratio(ours["fanout"]["msgs_per_s"], floor["fanout"]["msgs_per_s"]),
        "cpu_per_msg_x": ratio(ours["fanout"]["server_cpu_us_per_msg"], floor["fanout"]["server_cpu_us_per_msg"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--per-room", type=int, default=100)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--room-n", type=int, default=1000)
    parser.add_argument("--conns", type=int, default=0, help="idle sockets to open (0 = skip)")
    parser.add_argument("--bot", type=int, default=30, help="bot answers and as many offers to time (0 = skip)")
    parser.add_argument("--no-floor", action="store_true")
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    plan = prepare_gosupport(max(args.rooms, 1), 2 * args.bot)
    report = {"gosupport": run_target("gosupport", start_gosupport, lambda base: GosupportProtocol(base, plan), args)}
    if not args.no_floor:
        prepare_floor()
        report["floor"] = run_target("floor", start_floor, FloorProtocol, args)
        report["ratios_gosupport_over_floor"] = ratios(report["gosupport"], report["floor"])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
