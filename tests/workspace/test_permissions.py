"""Who may open which workspace page: the permission matrix."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from gosupport.models import Line
from tickets.escalation import sla_sweep
from tickets.routing import ticket_transfer

pytestmark = pytest.mark.django_db


def ticket_url(ticket):
    return reverse("workspace:ticket", args=[ticket.number])


def test_anonymous_is_sent_to_sign_in(client, make_ticket):
    ticket = make_ticket()
    for url in (reverse("workspace:queue"), ticket_url(ticket)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_citizen_gets_404_even_for_own_ticket(signed_in, citizen_a, make_ticket):
    ticket = make_ticket()
    client = signed_in(citizen_a)
    assert client.get(reverse("workspace:queue")).status_code == 404
    assert client.get(ticket_url(ticket)).status_code == 404
    assert client.post(reverse("workspace:note", args=[ticket.number]), {"note-text": "hi"}).status_code == 404
    assert not ticket.messages.filter(internal=True).exists()


def test_operator_of_the_queue_sees_the_ticket(signed_in, operator_of_queue, make_ticket):
    ticket = make_ticket()
    client = signed_in(operator_of_queue)
    assert ticket.number in client.get(reverse("workspace:queue")).content.decode()
    assert client.get(ticket_url(ticket)).status_code == 200


def test_operator_of_another_queue_gets_404(signed_in, operator_of_other_queue, make_ticket):
    ticket = make_ticket()
    client = signed_in(operator_of_other_queue)
    assert ticket.number not in client.get(reverse("workspace:queue")).content.decode()
    assert client.get(ticket_url(ticket)).status_code == 404
    response = client.post(reverse("workspace:reply", args=[ticket.number]), {"reply-text": "Ответ"})
    assert response.status_code == 404
    assert ticket.messages.count() == 1


def test_first_line_operator_loses_a_ticket_moved_to_the_second_line(
    signed_in, operator_of_queue, second_line_operator, account_category, make_ticket
):
    ticket = make_ticket()
    ticket_transfer(ticket=ticket, queue=account_category, line=Line.SECOND, actor=None)
    assert signed_in(operator_of_queue).get(ticket_url(ticket)).status_code == 404
    assert signed_in(second_line_operator).get(ticket_url(ticket)).status_code == 200


def test_second_line_operator_also_sees_first_line_tickets_of_the_queue(signed_in, second_line_operator, make_ticket):
    ticket = make_ticket()
    assert signed_in(second_line_operator).get(ticket_url(ticket)).status_code == 200


def test_supervisor_sees_every_ticket(signed_in, supervisor, make_ticket, applications_category):
    tickets = [make_ticket(), make_ticket(category=applications_category)]
    client = signed_in(supervisor)
    page = client.get(reverse("workspace:queue")).content.decode()
    for ticket in tickets:
        assert ticket.number in page
        assert client.get(ticket_url(ticket)).status_code == 200


def test_unknown_number_is_404_for_staff(signed_in, supervisor):
    assert signed_in(supervisor).get(reverse("workspace:ticket", args=["0000-0000"])).status_code == 404


def test_attachment_download_follows_ticket_visibility(
    signed_in, operator_of_queue, operator_of_other_queue, make_ticket, pdf_file
):
    ticket = make_ticket(files=[pdf_file()])
    attachment = ticket.attachments.get()
    url = reverse("workspace:attachment", args=[attachment.pk])
    assert signed_in(operator_of_other_queue).get(url).status_code == 404
    response = signed_in(operator_of_queue).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_second_line_sees_a_ticket_the_sla_sweep_escalated(signed_in, second_line_operator, make_ticket):
    ticket = make_ticket()
    later = ticket.first_response_due + timedelta(minutes=1)
    sla_sweep(now=later)
    ticket.refresh_from_db()
    assert ticket.escalation_level >= 1 and ticket.line == Line.SECOND
    client = signed_in(second_line_operator)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("workspace:queue"), {"sla": "breached"})
    assert [t.number for t in response.context["page"].object_list] == [ticket.number]
    assert client.get(ticket_url(ticket)).status_code == 200
