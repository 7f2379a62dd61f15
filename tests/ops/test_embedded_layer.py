import asyncio
import os
import subprocess
import sys

import pytest
from channels.exceptions import ChannelFull

from gosupport.embedded_layer import SqliteChannelLayer


@pytest.fixture
def path(tmp_path):
    return tmp_path / "channels.sqlite3"


async def test_a_group_message_from_one_layer_reaches_a_member_of_another(path):
    web, worker = SqliteChannelLayer(path), SqliteChannelLayer(path)
    channel = await web.new_channel()
    await web.group_add("operator-7", channel)
    await worker.group_send("operator-7", {"type": "frame.out", "frame": {"type": "offer", "ticket": "1234-5678"}})
    message = await asyncio.wait_for(web.receive(channel), 5)
    assert message == {"type": "frame.out", "frame": {"type": "offer", "ticket": "1234-5678"}}


async def test_messages_arrive_in_order_and_once(path):
    layer = SqliteChannelLayer(path)
    channel = await layer.new_channel()
    for seq in range(3):
        await layer.send(channel, {"type": "m", "seq": seq})
    received = [(await asyncio.wait_for(layer.receive(channel), 5))["seq"] for _ in range(3)]
    assert received == [0, 1, 2]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 0.3)


async def test_a_full_channel_refuses_a_send_and_misses_a_group_send(path):
    layer = SqliteChannelLayer(path, capacity=2)
    channel = await layer.new_channel()
    await layer.group_add("room", channel)
    await layer.send(channel, {"type": "m", "n": 1})
    await layer.send(channel, {"type": "m", "n": 2})
    with pytest.raises(ChannelFull):
        await layer.send(channel, {"type": "m", "n": 3})
    await layer.group_send("room", {"type": "m", "n": 4})
    assert [(await layer.receive(channel))["n"] for _ in range(2)] == [1, 2]


async def test_expired_messages_are_never_delivered(path):
    layer = SqliteChannelLayer(path, expiry=-1)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "m"})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 0.3)


async def test_a_discarded_member_gets_nothing_and_flush_empties(path):
    layer = SqliteChannelLayer(path)
    kept, left = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("room", kept)
    await layer.group_add("room", left)
    await layer.group_discard("room", left)
    await layer.group_send("room", {"type": "m"})
    assert await asyncio.wait_for(layer.receive(kept), 5) == {"type": "m"}
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(left), 0.3)
    await layer.send(kept, {"type": "m"})
    await layer.flush()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(kept), 0.3)


async def test_bad_names_and_messages_are_refused(path):
    layer = SqliteChannelLayer(path)
    with pytest.raises(TypeError):
        await layer.send("not a valid name", {"type": "m"})
    with pytest.raises(TypeError):
        await layer.group_add("bad group!", await layer.new_channel())
    with pytest.raises(AssertionError):
        await layer.send(await layer.new_channel(), "not a dict")


async def test_another_process_reaches_our_socket(path):
    layer = SqliteChannelLayer(path)
    channel = await layer.new_channel()
    await layer.group_add("chat-42", channel)
    sender = (
        "import asyncio, sys; from gosupport.embedded_layer import SqliteChannelLayer; "
        "asyncio.run(SqliteChannelLayer(sys.argv[1]).group_send('chat-42', {'type': 'frame.out', 'from': 'worker'}))"
    )
    subprocess.run([sys.executable, "-c", sender, str(path)], check=True, timeout=60)
    assert await asyncio.wait_for(layer.receive(channel), 5) == {"type": "frame.out", "from": "worker"}


def test_the_embedded_profile_settings_pick_the_shared_layer(tmp_path):
    probe = "from django.conf import settings; print(settings.CHANNEL_LAYERS['default']['BACKEND'])"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gosupport.settings",
        "REDIS_URL": "",
        "EMBEDDED_CHANNEL_LAYER_FILE": str(tmp_path / "channels.sqlite3"),
    }
    shown = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + probe],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert shown.stdout.strip().endswith("gosupport.embedded_layer.SqliteChannelLayer")
