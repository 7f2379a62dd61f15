from django.urls import path

from knowledgebase import api

urlpatterns = [
    path("search/", api.KbSearchView.as_view(), name="kb-api-search"),
    path("sections/", api.KbSectionListView.as_view(), name="kb-api-sections"),
    path("articles/<int:article_id>/", api.KbArticleView.as_view(), name="kb-api-article"),
    path("articles/<int:article_id>/vote/", api.KbArticleVoteView.as_view(), name="kb-api-article-vote"),
    path("workspace/", api.KbWorkspaceAssistView.as_view(), name="kb-api-workspace"),
]
