import json

import pytest

from gosupport.models import AuditLog
from gosupport.privacy import PrivacyProvider, privacy_provider_register
from tests.privacy.conftest import INN
from tickets.routing import ticket_transfer
from tickets.services import message_add


@pytest.fixture
def appeal(citizen, file_ticket, operator_of_queue):
    ticket = file_ticket(citizen, text="Не приходит код подтверждения на мой телефон, помогите.")
    message_add(ticket=ticket, author=operator_of_queue, text="Проверьте номер телефона в профиле.")
    message_add(ticket=ticket, author=operator_of_queue, text="Внутренняя заметка", internal=True)
    return ticket


def test_export_api_returns_profile_and_appeals_with_public_messages_and_history(client_for, citizen, appeal):
    response = client_for(citizen).get("/api/v1/me/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["inn"] == INN and data["profile"]["email"] == citizen.email
    assert data["consents"][0]["version"]
    [exported] = data["tickets"]
    assert exported["number"] == appeal.number and exported["text"] == appeal.text
    assert [m["text"] for m in exported["messages"]] == [appeal.text, "Проверьте номер телефона в профиле."]
    assert [e["kind"] for e in exported["events"]][0] == "created"
    assert "Внутренняя заметка" not in json.dumps(data, ensure_ascii=False)


def test_export_leaves_out_the_staffs_routing_history_and_its_comments(
    client_for, citizen, appeal, account_category, operator_of_queue
):
    ticket_transfer(
        ticket=appeal, queue=account_category, line=2, actor=operator_of_queue, comment="Похоже на мошенника"
    )
    data = client_for(citizen).get("/api/v1/me/export/").json()
    [exported] = data["tickets"]
    assert {e["kind"] for e in exported["events"]} == {"created"}
    assert "Похоже на мошенника" not in json.dumps(data, ensure_ascii=False)


def test_export_is_audited(client_for, citizen):
    client_for(citizen).get("/api/v1/me/export/", REMOTE_ADDR="192.0.2.44")
    record = AuditLog.objects.get(action="export")
    assert record.actor == citizen and record.object_id == str(citizen.pk) and record.ip == "192.0.2.44"
    assert "tickets" in record.fields


def test_export_never_includes_another_citizens_appeals(client_for, citizen_b, appeal):
    data = client_for(citizen_b).get("/api/v1/me/export/").json()
    assert data["tickets"] == [] and data["profile"]["email"] == citizen_b.email


def test_export_needs_authentication(api_client, db):
    assert api_client.get("/api/v1/me/export/").status_code == 401
    assert not AuditLog.objects.exists()


def test_export_api_refuses_writes(client_for, citizen):
    assert client_for(citizen).post("/api/v1/me/export/", {}).status_code == 405


def test_export_includes_what_other_apps_register(client_for, citizen, monkeypatch):
    from gosupport import privacy

    monkeypatch.setattr(privacy, "_providers", dict(privacy._providers))
    privacy_provider_register(PrivacyProvider(name="bookings", export=lambda user: [{"code": f"B-{user.pk}"}]))
    data = client_for(citizen).get("/api/v1/me/export/").json()
    assert data["bookings"] == [{"code": f"B-{citizen.pk}"}]


def test_provider_cannot_take_a_core_section_name():
    with pytest.raises(ValueError):
        privacy_provider_register(PrivacyProvider(name="profile"))


def test_export_is_in_the_openapi_schema(api_client, db):
    schema = api_client.get("/api/schema/?format=json").json()
    assert "get" in schema["paths"]["/api/v1/me/export/"]


def test_privacy_page_offers_the_download_and_shows_identifiers_masked(client, citizen, appeal):
    client.force_login(citizen)
    page = client.get("/account/privacy/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/account/privacy/export/" in html and "50********59" in html and INN not in html
    download = client.get("/account/privacy/export/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["tickets"][0]["number"] == appeal.number


def test_privacy_page_needs_sign_in(client, db):
    response = client.get("/account/privacy/")
    assert response.status_code == 302 and "next=" in response["Location"]
    assert client.get("/account/privacy/export/").status_code == 302
