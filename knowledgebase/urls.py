from django.urls import path

from knowledgebase import views

app_name = "kb"

urlpatterns = [
    path("", views.faq_index, name="index"),
    path("still-need-help/", views.still_need_help, name="still_need_help"),
    path("sections/<slug:slug>/", views.faq_section, name="section"),
    path("articles/<slug:slug>/", views.faq_article, name="article"),
    path("articles/<slug:slug>/vote/", views.faq_article_vote, name="article_vote"),
]
