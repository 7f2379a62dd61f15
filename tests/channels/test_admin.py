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
