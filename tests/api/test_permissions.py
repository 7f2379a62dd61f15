"""Who may do what, endpoint by endpoint: two citizens, an operator of the appeal's queue,
an operator of another queue, the second line, a supervisor and an anonymous caller.
What a caller may not see is 404; what their role may not do to a visible appeal is 403."""

import pytest

from tests.api.conftest import APPEAL_TEXT, appeal_of, closed_appeal_of, png_upload
from tickets.models import Message, Rating, Status, Ticket

PERSONAS = [
    "citizen_a",
    "citizen_b",
    "operator_of_queue",
    "operator_of_other_queue",
    "second_line_operator",
    "supervisor",
    "anonymous",
]


def expect(table: dict[str, int]):
    return pytest.mark.parametrize("persona, expected", list(table.items()))


@pytest.fixture
def appeal(everyone, account_category, form_policy):
    return appeal_of(everyone["citizen_a"], account_category)


@expect({persona: 200 for persona in PERSONAS})
def test_categories(client_for, everyone, account_category, persona, expected):
    response = client_for(everyone[persona]).get("/api/v1/categories/")

    assert response.status_code == expected
    assert {row["slug"] for row in response.json()} >= {"account-access", "applications"}


@expect({**{persona: 200 for persona in PERSONAS}, "anonymous": 401})
def test_me(client_for, everyone, persona, expected):
    assert client_for(everyone[persona]).get("/api/v1/me/").status_code == expected


@expect(
    {
        "citizen_a": 201,
        "citizen_b": 201,
        "operator_of_queue": 403,
        "operator_of_other_queue": 403,
        "second_line_operator": 403,
        "supervisor": 403,
        "anonymous": 401,
    }
)
def test_filing(client_for, everyone, account_category, persona, expected):
    body = {"category": "account-access", "text": APPEAL_TEXT, "contact_email": "a@example.ru", "files": [png_upload()]}

    response = client_for(everyone[persona]).post("/api/v1/tickets/", body, format="multipart")

    assert response.status_code == expected
    assert Ticket.objects.count() == (1 if expected == 201 else 0)


# Who finds citizen A's appeal (account queue, first line) in their list.
LIST_SHOWS_A = {
    "citizen_a": True,
    "citizen_b": False,
    "operator_of_queue": True,
    "operator_of_other_queue": False,
    "second_line_operator": True,
    "supervisor": True,
}


@pytest.mark.parametrize("persona, sees_a", list(LIST_SHOWS_A.items()))
def test_list(client_for, everyone, appeal, applications_category, persona, sees_a):
    own_of_b = appeal_of(everyone["citizen_b"], applications_category)

    response = client_for(everyone[persona]).get("/api/v1/tickets/")

    listed = {row["number"] for row in response.json()["results"]}
    assert (appeal.number in listed) is sees_a
    if persona == "citizen_a":
        assert listed == {appeal.number}
    if persona == "citizen_b":
        assert listed == {own_of_b.number}


def test_list_needs_authentication(client_for, appeal):
    assert client_for(None).get("/api/v1/tickets/").status_code == 401


def test_filters_never_widen_a_citizens_list(client_for, everyone, appeal):
    response = client_for(everyone["citizen_b"]).get("/api/v1/tickets/", {"q": appeal.number})

    assert response.json()["results"] == []


SEES_A = {
    "citizen_a": 200,
    "citizen_b": 404,
    "operator_of_queue": 200,
    "operator_of_other_queue": 404,
    "second_line_operator": 200,
    "supervisor": 200,
    "anonymous": 401,
}


@expect(SEES_A)
def test_detail(client_for, everyone, appeal, persona, expected):
    assert client_for(everyone[persona]).get(f"/api/v1/tickets/{appeal.number}/").status_code == expected


@expect({persona: (201 if code == 200 else code) for persona, code in SEES_A.items()})
def test_messages(client_for, everyone, appeal, persona, expected):
    url = f"/api/v1/tickets/{appeal.number}/messages/"

    response = client_for(everyone[persona]).post(url, {"text": "Есть новости?"}, format="json")

    assert response.status_code == expected
    assert Message.objects.filter(ticket=appeal).count() == (2 if expected == 201 else 1)


@expect({**SEES_A, "citizen_a": 403})
def test_status(client_for, everyone, appeal, persona, expected):
    url = f"/api/v1/tickets/{appeal.number}/status/"

    response = client_for(everyone[persona]).post(url, {"status": "in_progress"}, format="json")

    assert response.status_code == expected
    appeal.refresh_from_db()
    assert appeal.status == (Status.IN_PROGRESS if expected == 200 else Status.ACCEPTED)


@expect(
    {
        "citizen_a": 201,
        "citizen_b": 404,
        "operator_of_queue": 403,
        "operator_of_other_queue": 404,
        "second_line_operator": 403,
        "supervisor": 403,
        "anonymous": 401,
    }
)
def test_rating(client_for, everyone, account_category, persona, expected):
    closed = closed_appeal_of(everyone["citizen_a"], account_category, everyone["operator_of_queue"])

    response = client_for(everyone[persona]).post(f"/api/v1/tickets/{closed.number}/rating/", {"score": 4})

    assert response.status_code == expected
    assert Rating.objects.filter(ticket=closed).exists() is (expected == 201)


def test_another_citizens_appeal_is_404_on_every_route(client_for, everyone, appeal):
    client = client_for(everyone["citizen_b"])
    base = f"/api/v1/tickets/{appeal.number}/"

    answers = [
        client.get(base).status_code,
        client.post(base + "messages/", {"text": "Чужое"}).status_code,
        client.post(base + "status/", {"status": "in_progress"}).status_code,
        client.post(base + "rating/", {"score": 1}).status_code,
    ]

    assert answers == [404, 404, 404, 404]
