"""Blocking work handed from the event loop to a named pool of threads."""

import asyncio
import contextvars

import pytest

from gosupport.thread_pools import run_on_pool, serving_event_loop

pytestmark = pytest.mark.django_db
language = contextvars.ContextVar("language", default="ru")


def where_am_i(prefix, *, suffix=""):
    return f"{prefix}{language.get()}{suffix}", serving_event_loop()


async def test_a_call_runs_with_the_callers_context_and_knows_the_loop_that_awaits_it():
    language.set("en")
    answer, loop = await run_on_pool("test", 2, where_am_i, "lang=", suffix="!")
    assert answer == "lang=en!"
    assert loop is asyncio.get_running_loop()


async def test_after_the_call_the_thread_serves_no_loop_any_more():
    await run_on_pool("test", 1, where_am_i, "x")
    _answer, loop = await run_on_pool("test", 1, lambda: ("", None))
    assert loop is None
    assert (await run_on_pool("test", 1, serving_event_loop)) is not None


def test_outside_any_pool_call_no_loop_is_served():
    assert serving_event_loop() is None


async def test_an_error_in_the_call_reaches_the_caller():
    def fail():
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await run_on_pool("test", 1, fail)
