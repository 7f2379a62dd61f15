"""The supervisor sees unreadable mail in admin and can try it again."""

import pytest
from django.urls import reverse

from tickets.channels.mail import mail_ingest
from tickets.channels.models import QuarantinedMail

pytestmark = pytest.mark.django_db


def test_supervisor_sees_the_quarantined_mail_and_downloads_it(client, supervisor):
    mail_ingest(raw=b"\x00broken mail", source="imap")
    kept = QuarantinedMail.objects.get()
    client.force_login(supervisor)

    listing = client.get(reverse("admin:tickets_quarantinedmail_changelist"))
    download = client.post(
        reverse("admin:tickets_quarantinedmail_changelist"),
        {"action": "download", "_selected_action": [kept.pk]},
    )

    assert listing.status_code == 200 and kept.reason in listing.content.decode()
    assert download["Content-Type"] == "message/rfc822" and download.content == b"\x00broken mail"


def test_citizens_cannot_open_the_quarantine(client, citizen_a):
    client.force_login(citizen_a)

    response = client.get(reverse("admin:tickets_quarantinedmail_changelist"))

    assert response.status_code == 302


def test_retry_reports_the_outcome_in_the_supervisors_language(client, supervisor, settings, account_category):
    from django.contrib.messages import get_messages

    from gosupport.models import Category
    from tests.channels import mails

    settings.MAIL_DEFAULT_CATEGORY = account_category.slug
    Category.objects.update(is_active=False)
    mail_ingest(raw=mails.plain())
    Category.objects.update(is_active=True)
    kept = QuarantinedMail.objects.get()
    client.force_login(supervisor)

    response = client.post(
        reverse("admin:tickets_quarantinedmail_changelist"),
        {"action": "retry", "_selected_action": [kept.pk]},
        headers={"accept-language": "ru"},
    )

    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert texts == [f"Письмо {kept.pk}: Новое обращение"]
