"""The OpenAPI schema generates cleanly, describes every endpoint of the contract, and
/api/docs/ renders from local (sidecar) assets."""

import pytest
import yaml
from django.core.management import call_command

CONTRACT_OPERATIONS = {
    ("/api/v1/auth/register/", "post"),
    ("/api/v1/auth/token/", "post"),
    ("/api/v1/me/", "get"),
    ("/api/v1/categories/", "get"),
    ("/api/v1/tickets/", "get"),
    ("/api/v1/tickets/", "post"),
    ("/api/v1/tickets/{number}/", "get"),
    ("/api/v1/tickets/{number}/messages/", "post"),
    ("/api/v1/tickets/{number}/status/", "post"),
    ("/api/v1/tickets/{number}/rating/", "post"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_generates_without_warnings_or_errors_and_lists_the_contract(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}

    assert CONTRACT_OPERATIONS <= operations


def test_schema_describes_the_appeal_answer_and_both_request_bodies(schema):
    create = schema["paths"]["/api/v1/tickets/"]["post"]
    created = schema["components"]["schemas"]["TicketCreated"]["properties"]

    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"201", "400", "401", "403", "413"} <= set(create["responses"])
    assert {"number", "status", "channel", "created_at", "first_response_due", "resolution_due"} <= set(created)


def test_schema_describes_ticket_history_with_from_and_to(schema):
    event = schema["components"]["schemas"]["TicketEvent"]["properties"]

    assert {"at", "actor", "from", "to", "comment"} <= set(event)


def test_schema_lists_every_filter_of_the_appeal_list(schema):
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]}

    assert {"status", "channel", "category", "created_after", "created_before", "q", "page"} <= names


def test_schema_is_served(api_client, db):
    response = api_client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/tickets/" in response.content


def test_docs_render_from_local_assets(api_client, db):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    assert b"drf_spectacular_sidecar/swagger-ui-dist" in response.content
    assert b"cdn.jsdelivr" not in response.content
