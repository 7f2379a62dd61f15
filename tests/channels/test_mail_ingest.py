"""E-mail in: appeals from real MIME messages, replies threaded, machines ignored, nothing dropped."""

from email.header import Header

import pytest

from gosupport.models import Notification
from tests.channels import mails
from tickets.channels.mail import mail_ingest
from tickets.channels.models import MailOutcome, MailRecord, QuarantinedMail
from tickets.models import AuthorKind, Channel, Status, Ticket
from tickets.selectors import tickets_visible_to
from tickets.services import message_add, ticket_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_category(settings, account_category):
    settings.MAIL_DEFAULT_CATEGORY = account_category.slug
    settings.SUPPORT_EMAIL = "support@gosupport.local"


def test_mail_from_a_citizens_address_becomes_an_appeal_in_their_list(citizen_a):
    result = mail_ingest(raw=mails.plain())

    ticket = result.ticket
    assert result.outcome == MailOutcome.CREATED
    assert ticket.channel == Channel.EMAIL
    assert ticket.citizen == citizen_a
    assert ticket.contact_email == "alice@example.ru"
    assert ticket.subject == mails.SUBJECT
    assert "код подтверждения" in ticket.text
    assert ticket.resolution_due is not None
    assert ticket in tickets_visible_to(citizen_a)


def test_appeal_number_and_due_time_are_sent_back_at_once(citizen_a):
    ticket = mail_ingest(raw=mails.plain()).ticket

    notice = Notification.objects.get(reference=ticket.number, channel="email")
    assert notice.recipient == "alice@example.ru"
    assert ticket.number in notice.body
    assert ticket.number in notice.subject


def test_mail_from_an_unknown_address_is_answered_at_that_address(db):
    ticket = mail_ingest(raw=mails.plain(sender="Пётр <petr@example.org>")).ticket

    assert ticket.citizen is None
    assert ticket.contact_email == "petr@example.org"
    assert Notification.objects.filter(reference=ticket.number, recipient="petr@example.org").exists()


@pytest.mark.parametrize(
    "subject_header",
    [
        mails.encoded_subject("utf-8", "B"),
        mails.encoded_subject("utf-8", "Q"),
        mails.encoded_subject("koi8-r", "B"),
        mails.encoded_subject("koi8-r", "Q"),
        mails.encoded_subject("windows-1251", "B"),
        mails.encoded_subject("windows-1251", "Q"),
        mails.encoded_subject("iso-8859-5", "B"),
        Header(mails.SUBJECT, "utf-8", maxlinelen=30).encode(),  # folded over several lines
    ],
    ids=["utf8-b", "utf8-q", "koi8r-b", "koi8r-q", "cp1251-b", "cp1251-q", "iso88595-b", "folded"],
)
def test_cyrillic_subjects_in_every_common_encoding_are_decoded(subject_header, db):
    ticket = mail_ingest(raw=mails.plain(subject_header=subject_header)).ticket

    assert ticket.subject == mails.SUBJECT


@pytest.mark.parametrize("charset", ["utf-8", "cp1251", "koi8-r"])
def test_raw_eight_bit_subject_without_encoding_is_still_read(charset, db):
    raw = mails.plain(subject_header="PLACEHOLDER").replace(b"PLACEHOLDER", mails.SUBJECT.encode(charset))

    ticket = mail_ingest(raw=raw).ticket

    assert ticket.subject == mails.SUBJECT


@pytest.mark.parametrize("charset", ["koi8-r", "windows-1251", "utf-8"])
def test_body_in_a_cyrillic_charset_is_decoded(charset, db):
    ticket = mail_ingest(raw=mails.plain(body="Не приходит код.", charset=charset)).ticket

    assert ticket.text == "Не приходит код."


def test_html_only_mail_becomes_plain_text_without_markup_or_scripts(citizen_b):
    ticket = mail_ingest(raw=mails.html_only()).ticket

    assert ticket.citizen == citizen_b
    assert "Добрый день!" in ticket.text
    assert "«№ 123»" in ticket.text
    assert "третью неделю" in ticket.text
    assert "<" not in ticket.text and "alert" not in ticket.text and "color" not in ticket.text
    assert "старое письмо" not in ticket.text


def test_attachments_are_kept_under_the_file_rules_and_refused_ones_named(citizen_a):
    ticket = mail_ingest(raw=mails.with_attachments()).ticket

    stored = {a.original_name: a.content_type for a in ticket.attachments.all()}
    assert stored == {"скан.png": "image/png", "заявление.pdf": "application/pdf"}
    assert ticket.text == "Прикладываю скан и заявление."
    note = ticket.messages.get(author_kind=AuthorKind.SYSTEM)
    assert "резюме.docx" in note.text and not note.internal


def test_attachments_over_the_size_limit_are_left_out_but_the_mail_is_filed(settings, citizen_a):
    settings.ATTACHMENTS_MAX_TOTAL_BYTES = 60
    raw = mails.with_attachments(files=[("big.pdf", "application", "pdf", b"%PDF-1.4\n" + b"0" * 100)])

    ticket = mail_ingest(raw=raw).ticket

    assert not ticket.attachments.exists()
    assert "big.pdf" not in ticket.text
    assert ticket.messages.filter(author_kind=AuthorKind.SYSTEM).exists()


def test_reply_with_the_number_in_the_subject_joins_the_appeal_without_the_quoted_history(citizen_a):
    ticket = mail_ingest(raw=mails.plain()).ticket

    result = mail_ingest(raw=mails.reply(number=ticket.number))

    assert result.outcome == MailOutcome.APPENDED
    assert result.ticket == ticket
    assert Ticket.objects.count() == 1
    last = ticket.messages.order_by("-seq").first()
    assert last.author == citizen_a and last.author_kind == AuthorKind.CITIZEN
    assert last.text == "Спасибо, код пришёл, но вход всё равно не работает."


def test_reply_found_by_its_reply_headers(citizen_a):
    ticket = mail_ingest(raw=mails.plain()).ticket

    result = mail_ingest(raw=mails.reply(in_reply_to="<plain-1@mail.example.ru>"))

    assert result.ticket == ticket and result.outcome == MailOutcome.APPENDED


def test_quoting_someone_elses_appeal_number_does_not_write_into_it(citizen_a, citizen_b):
    alices = mail_ingest(raw=mails.plain()).ticket

    result = mail_ingest(raw=mails.reply(number=alices.number, sender="bob@example.ru"))

    assert result.outcome == MailOutcome.CREATED
    assert result.ticket != alices and result.ticket.citizen == citizen_b
    assert alices.messages.count() == 1


def test_reply_to_a_closed_appeal_opens_a_new_one(citizen_a, operator_of_queue):
    ticket = mail_ingest(raw=mails.plain()).ticket
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    ticket_transition(ticket=ticket, to_status=Status.COMPLETED, actor=operator_of_queue, resolution="Done")

    result = mail_ingest(raw=mails.reply(number=ticket.number))

    assert result.outcome == MailOutcome.CREATED and result.ticket != ticket


@pytest.mark.parametrize(
    ("raw", "outcome"),
    [
        (mails.auto_reply(), MailOutcome.AUTO_REPLY),
        (mails.bounce(), MailOutcome.BOUNCE),
        (mails.loop(), MailOutcome.LOOP),
        (mails.plain(sender="support@gosupport.local", message_id="<own@x>"), MailOutcome.LOOP),
        (mails.plain(extra_headers="Precedence: bulk\r\n", message_id="<bulk@x>"), MailOutcome.AUTO_REPLY),
        (
            mails.plain(subject_header=Header("Out of Office: away", "utf-8").encode(), message_id="<ooo@x>"),
            MailOutcome.AUTO_REPLY,
        ),
    ],
    ids=["auto-reply", "bounce", "loop-header", "own-address", "bulk", "out-of-office-subject"],
)
def test_machine_mail_never_creates_an_appeal(raw, outcome, citizen_a):
    result = mail_ingest(raw=raw)

    assert result.outcome == outcome and result.ticket is None
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()
    assert MailRecord.objects.get().outcome == outcome


def test_a_flood_from_one_address_is_stopped_as_a_loop(settings, db):
    settings.MAIL_MAX_NEW_APPEALS_PER_HOUR = 3
    outcomes = [mail_ingest(raw=mails.plain(message_id=f"<flood-{n}@x>")).outcome for n in range(5)]

    assert outcomes == ["created"] * 3 + ["loop"] * 2
    assert Ticket.objects.count() == 3


def test_the_same_mail_delivered_twice_makes_one_appeal(citizen_a):
    first = mail_ingest(raw=mails.plain())
    second = mail_ingest(raw=mails.plain())

    assert second.outcome == "duplicate" and second.ticket == first.ticket
    assert Ticket.objects.count() == 1


def test_mail_without_message_id_is_deduplicated_by_content(citizen_a):
    raw = mails.plain().replace(b"Message-ID: <plain-1@mail.example.ru>\r\n", b"")

    mail_ingest(raw=raw)
    mail_ingest(raw=raw)

    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x01\x02 not a message at all",
        mails.plain(sender="nobody-without-an-address"),
        mails.plain(sender="Alice <not an address>"),
    ],
    ids=["empty", "binary", "no-address", "bad-address"],
)
def test_unreadable_mail_is_kept_for_a_supervisor_and_creates_nothing(raw, db):
    result = mail_ingest(raw=raw, source="imap")

    assert result.outcome == "quarantined" and result.ticket is None
    kept = QuarantinedMail.objects.get()
    assert bytes(kept.raw) == raw and kept.source == "imap" and kept.reason
    assert not Ticket.objects.exists() and not MailRecord.objects.exists()


def test_mail_when_no_category_is_configured_is_quarantined_not_lost(settings, db):
    from gosupport.models import Category

    Category.objects.update(is_active=False)

    result = mail_ingest(raw=mails.plain())

    assert result.outcome == "quarantined"
    assert not Ticket.objects.exists() and not MailRecord.objects.exists()
    assert QuarantinedMail.objects.count() == 1


def test_operator_reply_in_the_thread_is_stored_as_the_operator(citizen_a, operator_of_queue):
    ticket = mail_ingest(raw=mails.plain()).ticket
    message_add(ticket=ticket, author=operator_of_queue, text="Проверьте номер телефона в профиле.")

    result = mail_ingest(raw=mails.reply(number=ticket.number))

    assert result.outcome == MailOutcome.APPENDED
    assert [m.author_kind for m in ticket.messages.order_by("seq")] == ["citizen", "operator", "citizen"]


def test_supervisor_retries_a_quarantined_mail_once_it_can_be_filed(settings, citizen_a):
    from gosupport.models import Category
    from tickets.channels.mail import quarantined_mail_retry

    Category.objects.update(is_active=False)
    mail_ingest(raw=mails.plain())
    Category.objects.update(is_active=True)

    result = quarantined_mail_retry(mail=QuarantinedMail.objects.get())

    assert result.outcome == MailOutcome.CREATED
    assert not QuarantinedMail.objects.exists()


def test_retrying_a_still_unreadable_mail_keeps_exactly_one_copy(db):
    from tickets.channels.mail import quarantined_mail_retry

    mail_ingest(raw=b"garbage")

    result = quarantined_mail_retry(mail=QuarantinedMail.objects.get())

    assert result.outcome == "quarantined"
    assert QuarantinedMail.objects.count() == 1


def test_mail_that_breaks_the_filing_is_quarantined_and_leaves_no_appeal_or_record(monkeypatch, citizen_a):
    from tickets.channels import mail as mail_module

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(mail_module, "message_add", broken)
    monkeypatch.setattr(mail_module, "_note_refused", broken)

    result = mail_ingest(raw=mails.with_attachments())

    assert result.outcome == "quarantined" and "RuntimeError" in result.reason
    assert not Ticket.objects.exists() and not MailRecord.objects.exists()
    assert QuarantinedMail.objects.count() == 1
