from datetime import timedelta

import pytest
from django.utils import timezone

from knowledgebase import selectors
from knowledgebase.models import ArticleVote, FollowUp, SearchLog, SearchSource
from knowledgebase.search import kb_search
from knowledgebase.services import article_vote, search_log_mark_followed, search_log_mark_opened


def _search(query, source=SearchSource.PAGE):
    return kb_search(query=query, source=source)


ALICE = "s:session-of-alice"


def test_opening_an_article_from_results_is_recorded_once(password_article, sms_article):
    results = kb_search(query="пароль", source=SearchSource.PAGE, visitor_key=ALICE)
    assert search_log_mark_opened(search_id=results.search_id, article=password_article, visitor_key=ALICE)
    assert not search_log_mark_opened(search_id=results.search_id, article=sms_article, visitor_key=ALICE)
    log = SearchLog.objects.get(pk=results.search_id)
    assert log.opened_article == password_article
    assert log.opened_at is not None


def test_a_chat_or_appeal_after_a_search_is_recorded(password_article):
    results = kb_search(query="пароль", source=SearchSource.PAGE, visitor_key=ALICE)
    assert search_log_mark_followed(search_id=results.search_id, outcome=FollowUp.APPEAL, visitor_key=ALICE)
    assert not search_log_mark_followed(search_id=results.search_id, outcome=FollowUp.CHAT, visitor_key=ALICE)
    assert SearchLog.objects.get(pk=results.search_id).followed_by == "appeal"


@pytest.mark.parametrize("visitor_key", ["s:session-of-mallory", "u:7", ""])
def test_another_visitor_cannot_mark_a_search_opened_or_followed(password_article, visitor_key):
    results = kb_search(query="пароль", source=SearchSource.PAGE, visitor_key=ALICE)

    opened = search_log_mark_opened(search_id=results.search_id, article=password_article, visitor_key=visitor_key)
    followed = search_log_mark_followed(search_id=results.search_id, outcome=FollowUp.CHAT, visitor_key=visitor_key)

    assert not opened and not followed
    log = SearchLog.objects.get(pk=results.search_id)
    assert (log.opened_article, log.opened_at, log.followed_by, log.followed_at) == (None, None, "", None)


@pytest.mark.parametrize("search_id", [None, 0, 999_999])
def test_a_missing_or_unknown_search_id_marks_nothing(password_article, search_id):
    kb_search(query="пароль", source=SearchSource.PAGE, visitor_key=ALICE)

    assert not search_log_mark_opened(search_id=search_id, article=password_article, visitor_key=ALICE)
    assert not search_log_mark_followed(search_id=search_id, outcome=FollowUp.APPEAL, visitor_key=ALICE)
    assert not SearchLog.objects.exclude(opened_article=None, followed_by="").exists()


def test_a_search_of_an_unknown_visitor_is_marked_by_nobody(password_article):
    results = _search("пароль")

    assert not search_log_mark_opened(search_id=results.search_id, article=password_article, visitor_key="s:anyone")
    assert SearchLog.objects.get(pk=results.search_id).opened_article is None


def test_an_unknown_follow_up_is_refused(password_article):
    from django.core.exceptions import ValidationError

    results = _search("пароль")
    with pytest.raises(ValidationError):
        search_log_mark_followed(search_id=results.search_id, outcome="telegram", visitor_key=ALICE)
    assert SearchLog.objects.get(pk=results.search_id).followed_by == ""


def test_a_voter_who_changes_their_mind_has_one_vote(password_article):
    article_vote(article=password_article, helpful=True, voter_key="s:abc")
    article_vote(article=password_article, helpful=False, voter_key="s:abc")
    assert list(ArticleVote.objects.values_list("helpful", flat=True)) == [False]
    summary = selectors.article_vote_summary().get(pk=password_article.pk)
    assert (summary.helpful_votes, summary.unhelpful_votes) == (0, 1)


def test_an_unhelpful_vote_marks_the_search_unanswered(password_article):
    results = kb_search(query="пароль", source=SearchSource.PAGE, visitor_key="u:1")
    article_vote(article=password_article, helpful=False, voter_key="u:1", search_id=results.search_id)
    since = timezone.now() - timedelta(days=1)
    assert list(selectors.unanswered_searches(since=since)) == [SearchLog.objects.get(pk=results.search_id)]


def test_a_vote_settles_the_voters_own_search(password_article):
    results = kb_search(query="пароль", source=SearchSource.PAGE, visitor_key="s:session-of-alice")

    vote = article_vote(
        article=password_article, helpful=True, voter_key="s:session-of-alice", search_id=results.search_id
    )

    assert SearchLog.objects.get(pk=results.search_id).helpful is True
    assert vote.search_id == results.search_id


@pytest.mark.parametrize("voter_key", ["s:session-of-mallory", "u:7", ""])
def test_a_vote_naming_another_visitors_search_counts_for_the_article_only(password_article, voter_key):
    results = kb_search(query="пароль", source=SearchSource.PAGE, visitor_key="s:session-of-alice")

    vote = article_vote(article=password_article, helpful=False, voter_key=voter_key, search_id=results.search_id)

    assert SearchLog.objects.get(pk=results.search_id).helpful is None
    assert vote.search_id is None
    summary = selectors.article_vote_summary().get(pk=password_article.pk)
    assert (summary.helpful_votes, summary.unhelpful_votes) == (0, 1)


def test_a_search_of_an_unknown_visitor_is_settled_by_nobody(password_article):
    results = _search("пароль")

    article_vote(article=password_article, helpful=True, voter_key="s:anyone", search_id=results.search_id)

    assert SearchLog.objects.get(pk=results.search_id).helpful is None


def test_the_search_log_keeps_no_session_key(password_article):
    results = kb_search(query="пароль", source=SearchSource.PAGE, visitor_key="s:secret-session-key")

    visitor = SearchLog.objects.get(pk=results.search_id).visitor
    assert visitor and "secret-session-key" not in visitor


def test_unanswered_questions_are_grouped_by_similar_wording(password_article):
    for query in ["потерял снилс", "снилс потерял", "потеряла снилс что делать", "утерян снилс где восстановить"]:
        _search(query)
    for query in ["оформить субсидию на жкх", "субсидия жкх"]:
        _search(query)
    _search("пароль")  # found: not in the report
    _search("потерял снилс", source=SearchSource.SUGGEST)  # typing suggestions are left out by default
    groups = selectors.unanswered_question_groups(since=timezone.now() - timedelta(days=1))
    assert [g.count for g in groups] == [3, 2, 1]
    assert set(groups[0].examples) == {"потерял снилс", "снилс потерял", "потеряла снилс что делать"}
    assert groups[0].no_results == 3
    with_suggestions = selectors.unanswered_question_groups(
        since=timezone.now() - timedelta(days=1), include_suggestions=True
    )
    assert with_suggestions[0].count == 4


def test_old_searches_are_outside_the_report_window(password_article):
    results = _search("потерял снилс")
    SearchLog.objects.filter(pk=results.search_id).update(created_at=timezone.now() - timedelta(days=10))
    assert selectors.unanswered_question_groups(since=timezone.now() - timedelta(days=7)) == []


def test_supervisor_sees_the_unanswered_report_in_admin(client, supervisor, password_article):
    _search("потерял снилс")
    client.force_login(supervisor)
    response = client.get("/admin/knowledgebase/searchlog/unanswered/?days=7")
    assert response.status_code == 200
    assert "потерял снилс" in response.content.decode()
    assert client.get("/admin/knowledgebase/searchlog/").status_code == 200


def test_a_citizen_cannot_open_the_admin_report(client, citizen_a):
    client.force_login(citizen_a)
    response = client.get("/admin/knowledgebase/searchlog/unanswered/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
