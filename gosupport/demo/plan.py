"""The demo month as a plan: who writes what, through which channel, and when.

Pure and seeded, so the same seed plans the same month."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from gosupport.demo.texts import APPEALS
from tickets.models import Channel

MOSCOW = ZoneInfo("Europe/Moscow")
CHANNEL_WEIGHTS = {
    Channel.FORM: 34,
    Channel.CHAT: 30,
    Channel.EMAIL: 15,
    Channel.PHONE: 10,
    Channel.SOCIAL: 6,
    Channel.POST: 5,
}
CATEGORY_WEIGHTS = {
    "account-access": 14,
    "sms-codes": 8,
    "identity": 6,
    "applications": 14,
    "rejection-appeal": 5,
    "documents": 7,
    "forms": 7,
    "browser-app": 6,
    "e-signature": 5,
    "payments": 8,
    "appointments": 7,
    "processing-times": 6,
    "personal-data": 2,
    "general": 5,
    "complaint-service": 2,
    "complaint-centre": 2,
}
# Citizens write in the daytime and in the evening, rarely at night.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 10, 10, 11, 11, 10, 9, 8, 7, 6, 4, 3, 2)
REJECTED_MORE_OFTEN = {"rejection-appeal", "applications", "complaint-service", "complaint-centre"}
MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass
class Step:
    at: datetime
    action: str
    options: dict = field(default_factory=dict)


@dataclass
class AppealPlan:
    key: int
    channel: str
    category: str
    text: str
    citizen: int | None  # index into the demo citizens; None writes without an account
    contact: int
    initial_rating: int | None
    steps: list[Step]


class Planner:
    def __init__(self, rng: random.Random, *, citizens: int):
        self.rng = rng
        self.citizens = citizens

    def month(self, *, count: int, start: datetime, end: datetime) -> list[AppealPlan]:
        moments = sorted(self._moment(start, end) for _index in range(count))
        return [self._appeal(key, created) for key, created in enumerate(moments)]

    def _moment(self, start: datetime, end: datetime) -> datetime:
        days = max((end - start).days, 1)
        while True:
            day = (start.astimezone(MOSCOW) + timedelta(days=self.rng.randrange(days + 1))).date()
            weekend = day.weekday() >= 5
            if weekend and self.rng.random() < 0.6:
                continue
            hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            moment = datetime(day.year, day.month, day.day, hour, self.rng.randrange(60), tzinfo=MOSCOW)
            moment += timedelta(seconds=self.rng.randrange(60))
            if start <= moment <= end:
                return moment

    def _appeal(self, key: int, created: datetime) -> AppealPlan:
        rng = self.rng
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        with_account = channel in (Channel.CHAT, Channel.FORM) or rng.random() < 0.5
        citizen = self._citizen() if with_account else None
        rating = rng.randint(3, 5) if channel == Channel.FORM and rng.random() < 0.3 else None
        steps = self._steps(channel, category, created, has_citizen=citizen is not None)
        return AppealPlan(
            key=key,
            channel=channel,
            category=category,
            text=rng.choice(APPEALS[category]),
            citizen=citizen,
            contact=rng.randrange(6),
            initial_rating=rating,
            steps=steps,
        )

    def _citizen(self) -> int:
        # The first demo citizen (the one printed for signing in) has the longest history.
        weights = [4] + [1] * (self.citizens - 1)
        return self.rng.choices(range(self.citizens), weights=weights)[0]

    def _steps(self, channel: str, category: str, created: datetime, *, has_citizen: bool) -> list[Step]:
        timeline = Timeline(created, self.rng)
        timeline.add(0, "create")
        if channel == Channel.CHAT:
            self._chat(timeline, has_citizen=has_citizen)
        elif channel == Channel.PHONE:
            self._phone(timeline, category)
        elif channel == Channel.POST:
            self._written(timeline, category, has_citizen, take=(DAY, 3 * DAY), close=(2 * DAY, 8 * DAY))
        else:
            self._written(timeline, category, has_citizen, take=(10 * MINUTE, 4 * HOUR), close=(2 * HOUR, 30 * HOUR))
        return timeline.steps

    def _chat(self, timeline: "Timeline", *, has_citizen: bool) -> None:
        rng = self.rng
        timeline.add(rng.uniform(1, 3), "bot_greets")
        timeline.add(rng.uniform(3, 10), "handoff")
        # Most chats are answered within the 30 seconds promised and closed within the
        # 5 minutes of a simple question; some are not, and the sweep escalates them.
        late = rng.random() < 0.1
        timeline.add(rng.uniform(40, 240) if late else rng.uniform(3, 12), "chat_accept")
        timeline.add(rng.uniform(5, 15), "operator_replies")
        long_chat = rng.random() < 0.15
        for _exchange in range(rng.randint(2, 4) if long_chat else 1):
            timeline.add(rng.uniform(15, 60) * (3 if long_chat else 1), "citizen_replies")
            timeline.add(rng.uniform(15, 60) * (3 if long_chat else 1), "operator_replies")
        if rng.random() < 0.06:
            timeline.add(rng.uniform(30, 90), "chat_second_line")
            timeline.add(rng.uniform(30, 300), "chat_accept", line=2)
            timeline.add(rng.uniform(10, 60), "operator_replies")
        timeline.add(rng.uniform(20, 90), "chat_close")
        if has_citizen and rng.random() < 0.7:
            timeline.add(rng.uniform(5, 60), "rate")

    def _phone(self, timeline: "Timeline", category: str) -> None:
        rng = self.rng
        timeline.add(rng.uniform(30, 120), "start_work")
        if rng.random() < 0.75:
            timeline.add(rng.uniform(3 * MINUTE, 12 * MINUTE), "close", rejected=False)
        else:
            timeline.add(rng.uniform(HOUR, 2 * DAY), "operator_replies")
            timeline.add(rng.uniform(HOUR, DAY), "close", rejected=self._rejected(category))

    def _written(self, timeline: "Timeline", category: str, has_citizen: bool, *, take, close) -> None:
        rng = self.rng
        late = rng.random() < 0.1
        timeline.add(rng.uniform(25 * HOUR, 40 * HOUR) if late else rng.uniform(*take), "take")
        if rng.random() < 0.04:
            return  # forgotten: the escalation sweep has to find it
        timeline.add(rng.uniform(5 * MINUTE, HOUR), "operator_replies")
        timeline.add(rng.uniform(10, 60), "start_work")
        if rng.random() < 0.2:
            timeline.add(rng.uniform(MINUTE, 10 * MINUTE), "internal_note")
        if rng.random() < 0.2:
            timeline.add(rng.uniform(HOUR, 6 * HOUR), "ask_documents")
            if rng.random() < 0.7:  # the others are still waiting for the citizen's files
                timeline.add(rng.uniform(2 * HOUR, 2 * DAY), "send_documents")
        if rng.random() < 0.1:
            timeline.add(rng.uniform(30 * MINUTE, 3 * HOUR), "second_line")
            timeline.add(rng.uniform(20 * MINUTE, 3 * HOUR), "take", line=2)
            timeline.add(rng.uniform(10 * MINUTE, HOUR), "operator_replies")
        if has_citizen and rng.random() < 0.3:
            timeline.add(rng.uniform(HOUR, 8 * HOUR), "citizen_replies")
        # A quarter of the cases need days, and some of those miss the 48 hours promised.
        slow = rng.random() < 0.25
        closing = rng.uniform(20 * HOUR, 3 * DAY) if slow else rng.uniform(*close)
        timeline.add(closing, "close", rejected=self._rejected(category))
        if has_citizen and rng.random() < 0.55:
            timeline.add(rng.uniform(10 * MINUTE, 2 * DAY), "rate")

    def _rejected(self, category: str) -> bool:
        return self.rng.random() < (0.35 if category in REJECTED_MORE_OFTEN else 0.08)


class Timeline:
    """Steps one after another, each some seconds after the previous one."""

    def __init__(self, start: datetime, rng: random.Random):
        self.moment = start
        self.rng = rng
        self.steps: list[Step] = []

    def add(self, after_seconds: float, action: str, **options) -> None:
        self.moment += timedelta(seconds=after_seconds)
        self.steps.append(Step(self.moment, action, options))
