import pytest
from django.urls import reverse

from tests.portal.conftest import PNG_BYTES, fake_png_upload, png_upload
from tickets.models import Attachment, EventKind, Message, Status
from tickets.services import attachment_upload, message_add, ticket_transition

REJECTION = {
    "rejection_reasons": "Заявление подано не по форме",
    "regulation_references": "Административный регламент, п. 2.8",
    "appeal_instructions": "Обжалуйте решение в течение 30 дней через портал",
}


def detail_url(ticket) -> str:
    return reverse("portal:appeal_detail", args=[ticket.number])


def download_url(ticket, attachment) -> str:
    return reverse("portal:attachment_download", args=[ticket.number, attachment.pk])


@pytest.fixture
def appeal(citizen_a, make_appeal):
    return make_appeal(citizen_a, files=[png_upload("passport.png")])


@pytest.fixture
def signed_in(client, citizen_a):
    client.force_login(citizen_a)
    return client


@pytest.fixture
def waiting_appeal(appeal, operator_of_queue):
    ticket_transition(ticket=appeal, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    return ticket_transition(
        ticket=appeal, to_status=Status.WAITING_DOCUMENTS, actor=operator_of_queue, comment="Нужна копия паспорта"
    )


@pytest.mark.django_db
def test_citizen_sees_the_status_thread_and_files_of_own_appeal(signed_in, appeal):
    response = signed_in.get(detail_url(appeal))
    html = response.content.decode()
    assert response.status_code == 200
    assert appeal.text in html
    assert "passport.png" in html
    assert download_url(appeal, appeal.attachments.get()) in html
    assert response.context["ticket"].status == Status.ACCEPTED


@pytest.mark.django_db
def test_citizen_cannot_see_another_citizens_appeal(client, citizen_b, appeal):
    client.force_login(citizen_b)
    attachment = appeal.attachments.get()
    assert client.get(detail_url(appeal)).status_code == 404
    assert client.get(download_url(appeal, attachment)).status_code == 404
    assert client.post(reverse("portal:appeal_reply", args=[appeal.number]), {"text": "чужое"}).status_code == 404
    assert client.post(reverse("portal:appeal_documents", args=[appeal.number]), {}).status_code == 404
    assert Message.objects.filter(ticket=appeal).count() == 1


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client, appeal):
    assert client.get(detail_url(appeal)).status_code == 302
    assert client.get(download_url(appeal, appeal.attachments.get())).status_code == 302


@pytest.mark.django_db
def test_unknown_number_is_404(signed_in):
    assert signed_in.get(reverse("portal:appeal_detail", args=["0000-0000"])).status_code == 404


@pytest.mark.django_db
def test_history_names_the_role_not_the_operator(signed_in, waiting_appeal, operator_of_queue):
    operator_of_queue.first_name, operator_of_queue.last_name = "Ольга", "Операторова"
    operator_of_queue.save()
    response = signed_in.get(detail_url(waiting_appeal))
    html = response.content.decode()
    kinds = [event.kind for event in response.context["events"]]
    assert kinds == [EventKind.CREATED, EventKind.STATUS, EventKind.STATUS]
    assert "Нужна копия паспорта" in html
    assert "Операторова" not in html
    assert operator_of_queue.username not in html


@pytest.mark.django_db
def test_private_notes_and_their_files_never_reach_the_citizen(signed_in, appeal, operator_of_queue):
    note = message_add(
        ticket=appeal, author=operator_of_queue, text="Похоже на мошенничество", internal=True, files=[png_upload()]
    )
    response = signed_in.get(detail_url(appeal))
    assert "Похоже на мошенничество" not in response.content.decode()
    note_file = note.attachments.get()
    assert signed_in.get(download_url(appeal, note_file)).status_code == 404


@pytest.mark.django_db
def test_a_file_an_operator_uploaded_but_has_not_sent_is_not_the_citizens_to_download(
    signed_in, appeal, operator_of_queue
):
    pending = attachment_upload(ticket=appeal, uploader=operator_of_queue, file=png_upload("draft.png"))
    assert signed_in.get(download_url(appeal, pending)).status_code == 404


@pytest.mark.django_db
def test_the_citizens_own_file_not_sent_yet_stays_downloadable(signed_in, appeal, citizen_a):
    pending = attachment_upload(ticket=appeal, uploader=citizen_a, file=png_upload("mine.png"))
    assert signed_in.get(download_url(appeal, pending)).status_code == 200


@pytest.mark.django_db
def test_operator_of_the_queue_may_download_a_note_file(client, appeal, operator_of_queue):
    note = message_add(ticket=appeal, author=operator_of_queue, text="файл", internal=True, files=[png_upload()])
    client.force_login(operator_of_queue)
    assert client.get(download_url(appeal, note.attachments.get())).status_code == 200


@pytest.mark.django_db
def test_operator_of_another_queue_cannot_download(client, appeal, operator_of_other_queue):
    client.force_login(operator_of_other_queue)
    assert client.get(download_url(appeal, appeal.attachments.get())).status_code == 404


@pytest.mark.django_db
def test_download_is_an_attachment_with_nosniff(signed_in, appeal):
    attachment = appeal.attachments.get()
    response = signed_in.get(download_url(appeal, attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="passport.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(PNG_BYTES[:8])


@pytest.mark.django_db
def test_a_file_of_another_appeal_is_404_even_under_my_number(signed_in, appeal, citizen_b, make_appeal):
    foreign = make_appeal(citizen_b, files=[png_upload("theirs.png")])
    assert signed_in.get(download_url(appeal, foreign.attachments.get())).status_code == 404


@pytest.mark.django_db
def test_files_are_not_served_from_media_url(signed_in, appeal):
    attachment = appeal.attachments.get()
    html = signed_in.get(detail_url(appeal)).content.decode()
    assert attachment.file.name not in html
    assert signed_in.get("/media/" + attachment.file.name).status_code == 404


@pytest.mark.django_db
def test_citizen_replies_to_own_appeal(signed_in, appeal):
    response = signed_in.post(reverse("portal:appeal_reply", args=[appeal.number]), {"text": "Дополняю: ошибка 500"})
    assert response.status_code == 302
    assert appeal.messages.latest("seq").text == "Дополняю: ошибка 500"


@pytest.mark.django_db
def test_an_empty_reply_is_explained_and_stores_nothing(signed_in, appeal):
    response = signed_in.post(reverse("portal:appeal_reply", args=[appeal.number]), {"text": "   "})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()
    assert appeal.messages.count() == 1


@pytest.mark.django_db
def test_a_reply_with_a_fake_image_stores_nothing(signed_in, appeal):
    url = reverse("portal:appeal_reply", args=[appeal.number])
    response = signed_in.post(url, {"text": "вот файл", "files": [fake_png_upload()]})
    assert response.status_code == 400
    assert 'id="id_files_error"' in response.content.decode()
    assert appeal.messages.count() == 1
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_waiting_for_documents_offers_an_upload_that_resumes_the_work(signed_in, waiting_appeal):
    page = signed_in.get(detail_url(waiting_appeal)).content.decode()
    documents_url = reverse("portal:appeal_documents", args=[waiting_appeal.number])
    assert f'action="{documents_url}"' in page
    response = signed_in.post(documents_url, {"text": "Копия паспорта", "files": [png_upload("copy.png")]})
    assert response.status_code == 302
    waiting_appeal.refresh_from_db()
    assert waiting_appeal.status == Status.IN_PROGRESS
    assert waiting_appeal.attachments.filter(original_name="copy.png").exists()


@pytest.mark.django_db
def test_the_documents_form_needs_a_file(signed_in, waiting_appeal):
    response = signed_in.post(reverse("portal:appeal_documents", args=[waiting_appeal.number]), {"text": "нет файла"})
    assert response.status_code == 400
    assert 'id="id_files_error"' in response.content.decode()
    waiting_appeal.refresh_from_db()
    assert waiting_appeal.status == Status.WAITING_DOCUMENTS


@pytest.mark.django_db
def test_no_upload_form_outside_waiting_for_documents(signed_in, appeal):
    page = signed_in.get(detail_url(appeal)).content.decode()
    assert reverse("portal:appeal_documents", args=[appeal.number]) not in page


@pytest.mark.django_db
def test_rejected_appeal_shows_reasons_regulations_and_how_to_appeal(signed_in, appeal, operator_of_queue):
    ticket_transition(ticket=appeal, to_status=Status.REJECTED, actor=operator_of_queue, **REJECTION)
    html = signed_in.get(detail_url(appeal)).content.decode()
    for text in REJECTION.values():
        assert text in html
    assert reverse("portal:appeal_reply", args=[appeal.number]) not in html


@pytest.mark.django_db
def test_completed_appeal_shows_the_result_and_its_document(signed_in, appeal, operator_of_queue):
    ticket_transition(ticket=appeal, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    ticket_transition(
        ticket=appeal,
        to_status=Status.COMPLETED,
        actor=operator_of_queue,
        resolution="Доступ восстановлен",
        result_files=[png_upload("decision.png")],
    )
    response = signed_in.get(detail_url(appeal))
    html = response.content.decode()
    result = Attachment.objects.get(is_result_document=True)
    assert "Доступ восстановлен" in html
    assert download_url(appeal, result) in html
    assert signed_in.get(download_url(appeal, result)).status_code == 200


@pytest.mark.django_db
def test_a_reply_to_a_closed_appeal_is_refused(signed_in, appeal, operator_of_queue):
    ticket_transition(ticket=appeal, to_status=Status.REJECTED, actor=operator_of_queue, **REJECTION)
    response = signed_in.post(reverse("portal:appeal_reply", args=[appeal.number]), {"text": "Не согласен"})
    assert response.status_code == 400
    assert appeal.messages.count() == 1


@pytest.mark.django_db
def test_citizen_rates_a_closed_appeal_once(signed_in, appeal, operator_of_queue):
    ticket_transition(ticket=appeal, to_status=Status.REJECTED, actor=operator_of_queue, **REJECTION)
    rate_url = reverse("portal:appeal_rate", args=[appeal.number])
    assert f'action="{rate_url}"' in signed_in.get(detail_url(appeal)).content.decode()
    response = signed_in.post(rate_url, {"score": "4", "comment": "Понятно объяснили"})
    assert response.status_code == 302
    assert (appeal.rating.score, appeal.rating.comment) == (4, "Понятно объяснили")
    again = signed_in.post(rate_url, {"score": "1"})
    assert again.status_code == 400
    appeal.rating.refresh_from_db()
    assert appeal.rating.score == 4
    assert f'action="{rate_url}"' not in signed_in.get(detail_url(appeal)).content.decode()


@pytest.mark.django_db
def test_an_open_appeal_cannot_be_rated_yet(signed_in, appeal):
    response = signed_in.post(reverse("portal:appeal_rate", args=[appeal.number]), {"score": "5"})
    assert response.status_code == 400
    assert not hasattr(appeal, "rating")


@pytest.mark.django_db
@pytest.mark.parametrize("score", ["", "0", "6", "abc"])
def test_a_bad_score_is_explained_next_to_it(signed_in, appeal, operator_of_queue, score):
    ticket_transition(ticket=appeal, to_status=Status.REJECTED, actor=operator_of_queue, **REJECTION)
    response = signed_in.post(reverse("portal:appeal_rate", args=[appeal.number]), {"score": score})
    assert response.status_code == 400
    assert 'id="id_score_error"' in response.content.decode()
    appeal.refresh_from_db()
    assert not hasattr(appeal, "rating")


@pytest.mark.django_db
def test_another_citizen_cannot_rate_my_appeal(client, citizen_b, appeal, operator_of_queue):
    ticket_transition(ticket=appeal, to_status=Status.REJECTED, actor=operator_of_queue, **REJECTION)
    client.force_login(citizen_b)
    assert client.post(reverse("portal:appeal_rate", args=[appeal.number]), {"score": "1"}).status_code == 404


@pytest.mark.django_db
def test_the_appeal_page_queries_do_not_grow_with_the_thread(
    signed_in, appeal, operator_of_queue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as short:
        signed_in.get(detail_url(appeal))
    for index in range(5):
        message_add(ticket=appeal, author=operator_of_queue, text=f"Ответ {index}", files=[png_upload()])
    with django_assert_max_num_queries(len(short.captured_queries)):
        signed_in.get(detail_url(appeal))
