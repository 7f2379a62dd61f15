import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_help_page_uses_the_accessible_layout(client):
    response = client.get(reverse("portal:help"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert 'role="status"' in html
    assert f'action="{reverse("set_language")}"' in html
    assert "/help/faq/" in html
    assert reverse("portal:appeal_list") in html
    assert reverse("login") in html


@pytest.mark.django_db
def test_layout_follows_the_chosen_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:help")})
    assert response.status_code == 302
    html = client.get(reverse("portal:help")).content.decode()
    assert '<html lang="en">' in html
    assert "How can we help you?" in html


@pytest.mark.django_db
def test_signed_in_citizen_gets_a_sign_out_form_not_a_link(client, citizen_a):
    client.force_login(citizen_a)
    html = client.get(reverse("portal:help")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}"' in html
    assert f'href="{reverse("login")}"' not in html


@pytest.mark.django_db
def test_home_leads_to_help(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("portal:help")


def test_a_missing_page_answers_in_russian_with_a_way_back(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page and 'href="/help/"' in page


def test_the_server_error_page_stands_alone_and_is_translated():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("ru"):
        assert "Что-то пошло не так" in render_to_string("500.html")
