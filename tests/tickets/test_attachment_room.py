"""The 5 MB of files an appeal may hold are counted under the appeal's row lock, so two
uploads at the same moment cannot both fit in the room left for one.

The race needs real connections: PostgreSQL only (SQLite's single writer serialises it)."""

import os
import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.api.conftest import pdf_bytes
from tests.tickets.conftest import TEXT
from tickets import services
from tickets.models import Attachment, Message, Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL"),
]

THREE_MB = 3 * 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def appeal(citizen_a, account_category) -> Ticket:
    return services.ticket_create(
        channel="form", category=account_category, text=TEXT, citizen=citizen_a, contact_email=citizen_a.email
    )


def _files_on_disk(root) -> set[str]:
    return {
        os.path.relpath(os.path.join(folder, name), root) for folder, _dirs, names in os.walk(root) for name in names
    }


def _together(calls) -> list[object]:
    """Run the calls in threads; each passes the early size check before any goes on,
    which is the window two real uploads arriving together have."""
    passed_check = threading.Barrier(len(calls))
    real_check = services.check_uploads

    def check_then_wait(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        passed_check.wait(10)
        return checked

    outcomes: list[object] = [None] * len(calls)

    def attempt(n: int) -> None:
        try:
            outcomes[n] = calls[n]()
        except Exception as error:  # the outcome under test
            outcomes[n] = error
        finally:
            connection.close()

    with mock.patch.object(services, "check_uploads", check_then_wait):
        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(calls))]
        [thread.start() for thread in threads]
        [thread.join(60) for thread in threads]
    return outcomes


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(padding=THREE_MB), content_type="application/pdf")


def _one_refused_as_too_large(outcomes, kind) -> None:
    successes = [o for o in outcomes if isinstance(o, kind)]
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(successes) == 1 and len(refusals) == 1, outcomes
    assert refusals[0].error_dict["files"][0].code == "too_large"


def test_two_messages_of_three_megabytes_at_once_only_one_is_stored(appeal, citizen_a, media):
    outcomes = _together(
        [
            lambda: services.message_add(ticket=appeal, author=citizen_a, text="Скан 1", files=[_pdf("a.pdf")]),
            lambda: services.message_add(ticket=appeal, author=citizen_a, text="Скан 2", files=[_pdf("b.pdf")]),
        ]
    )

    _one_refused_as_too_large(outcomes, Message)
    [stored] = Attachment.objects.filter(ticket=appeal)
    assert _files_on_disk(media) == {stored.file.name}
    assert appeal.messages.count() == 2  # the first message and the one accepted
    appeal.refresh_from_db()
    assert list(appeal.messages.order_by("seq").values_list("seq", flat=True)) == [1, 2]


def test_two_chat_uploads_of_three_megabytes_at_once_only_one_is_stored(appeal, citizen_a, media):
    outcomes = _together(
        [
            lambda: services.attachment_upload(ticket=appeal, uploader=citizen_a, file=_pdf("a.pdf")),
            lambda: services.attachment_upload(ticket=appeal, uploader=citizen_a, file=_pdf("b.pdf")),
        ]
    )

    _one_refused_as_too_large(outcomes, Attachment)
    [stored] = Attachment.objects.filter(ticket=appeal)
    assert _files_on_disk(media) == {stored.file.name}
