"""The ratings list in admin: the columns and filters a supervisor reads quality with."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_ratings_filter_by_channel_and_queue_and_show_the_comment(history, supervisor, client):
    client.force_login(supervisor)
    url = reverse("admin:tickets_rating_changelist")
    chats = client.get(url, {"ticket__channel": "chat"})
    assert [rating.ticket.number for rating in chats.context["cl"].result_list] == ["0000-0003"]
    assert "Бот помог" in chats.content.decode()
    in_queue_b = client.get(url, {"ticket__queue__id__exact": history.queue_b.pk})
    assert list(in_queue_b.context["cl"].result_list) == []
    assert client.get(url, {"q": "olga"}).context["cl"].result_count == 1


def test_ratings_cannot_be_changed_from_admin(history, supervisor, client):
    client.force_login(supervisor)
    rating = history.tickets[1].rating
    client.post(reverse("admin:tickets_rating_change", args=[rating.pk]), {"score": "1", "comment": "edited"})
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (5, "")
