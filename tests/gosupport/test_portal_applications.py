import pytest

from gosupport.models import Notification, PortalApplication, PortalApplicationEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/integration/applications/"
TOKEN = "portal-secret-token"


@pytest.fixture(autouse=True)
def integration_token(settings):
    settings.PORTAL_INTEGRATION_TOKEN = TOKEN


def push(api_client, token=TOKEN, **overrides):
    body = {
        "number": "2026000123",
        "service": "Загранпаспорт нового образца",
        "status": "Принято ведомством",
        "at": "2026-11-20T10:00:00+03:00",
        "citizen_email": "alice@example.ru",
        **overrides,
    }
    return api_client.post(URL, body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_portal_push_mirrors_the_application_and_tells_the_citizen(api_client, citizen_a):
    response = push(api_client)
    assert response.status_code == 201
    application = PortalApplication.objects.get(number="2026000123")
    assert application.citizen == citizen_a and application.status == "Принято ведомством"
    assert Notification.objects.filter(user=citizen_a, reference="2026000123").exists()


def test_the_same_push_twice_is_recorded_once(api_client, citizen_a):
    push(api_client)
    assert push(api_client).status_code == 200
    assert PortalApplicationEvent.objects.count() == 1


def test_an_older_status_arriving_late_does_not_overwrite_the_newer(api_client, citizen_a):
    push(api_client, status="Готово к выдаче", at="2026-11-21T10:00:00+03:00")
    push(api_client, status="На рассмотрении", at="2026-11-20T12:00:00+03:00")
    assert PortalApplication.objects.get().status == "Готово к выдаче"
    assert PortalApplicationEvent.objects.count() == 2


@pytest.mark.parametrize("token", ["", "wrong"])
def test_a_push_without_the_token_is_refused_and_stores_nothing(api_client, citizen_a, token):
    assert push(api_client, token=token).status_code == 401
    assert not PortalApplication.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [{"citizen_email": "nobody@example.ru"}, {"citizen_email": ""}, {"at": "yesterday"}, {"number": ""}],
)
def test_bad_pushes_are_refused_and_store_nothing(api_client, citizen_a, overrides):
    assert push(api_client, **overrides).status_code == 400
    assert not PortalApplication.objects.exists()


def test_an_application_cannot_move_to_another_citizen(api_client, citizen_a, citizen_b):
    push(api_client)
    assert push(api_client, citizen_email="bob@example.ru", status="x").status_code == 400
    assert PortalApplication.objects.get().citizen == citizen_a


def test_export_and_erasure_cover_mirrored_applications(api_client, citizen_a):
    from gosupport.privacy import personal_data_erase, personal_data_export

    push(api_client)
    exported = personal_data_export(subject=citizen_a, actor=citizen_a, ip=None)
    assert exported["portal_applications"][0]["number"] == "2026000123"
    personal_data_erase(subject=citizen_a, actor=citizen_a, ip=None)
    assert not PortalApplication.objects.exists()
