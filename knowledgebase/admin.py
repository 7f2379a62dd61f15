"""Supervisors' admin for the knowledge base. Writes go through the services so every
saved article gets its search data; the search log is read-only, with the
"unanswered questions" report grouped by similar wording."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledgebase import selectors, services
from knowledgebase.models import Article, ArticleLink, CannedResponse, SearchLog, Section

REPORT_WINDOWS = (1, 7, 30, 90)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "category", "ordering"]
    list_editable = ["ordering"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "title_en", "slug"]


class ArticleLinkInline(admin.TabularInline):
    model = ArticleLink
    extra = 1
    fields = ["kind", "title", "url", "ordering"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["question", "section", "lang", "is_published", "helpful_votes", "unhelpful_votes", "updated_at"]
    list_filter = ["section", "lang", "is_published"]
    search_fields = ["question", "keywords", "answer", "slug"]
    prepopulated_fields = {"slug": ["question"]}
    inlines = [ArticleLinkInline]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["section", "slug", "lang", "question", "answer", "keywords", "is_published", "ordering"]
    list_select_related = ["section"]

    def get_queryset(self, request):
        return selectors.article_vote_summary().select_related("section")

    @admin.display(description=_("helped"), ordering="helpful_votes")
    def helpful_votes(self, article):
        return article.helpful_votes

    @admin.display(description=_("did not help"), ordering="unhelpful_votes")
    def unhelpful_votes(self, article):
        return article.unhelpful_votes

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj)

    def delete_model(self, request, obj):
        services.article_delete(article=obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.article_delete(article=article)


class CannedResponseForm(forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title", "shortcut", "lang", "category", "body", "is_active"]
        help_texts = {
            "body": _(
                "Placeholders: {citizen_name}, {ticket_number}, {due} (answer due), "
                "{first_response_due}, {operator_name}."
            )
        }

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            services.canned_response_check(body=body)
        except ValidationError as error:
            raise ValidationError(error.message_dict["body"]) from error
        return body


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    form = CannedResponseForm
    list_display = ["shortcut", "title", "lang", "category", "is_active", "updated_at"]
    list_filter = ["lang", "category", "is_active"]
    search_fields = ["shortcut", "title", "body"]

    def save_model(self, request, obj, form, change):
        services.canned_response_save(response=obj, user=request.user)


class UnansweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "unanswered"

    def lookups(self, request, model_admin):
        return [("yes", _("Not answered by the FAQ"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            since = timezone.now() - timedelta(days=365)
            return queryset.filter(pk__in=selectors.unanswered_searches(since=since).values("pk"))
        return queryset


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "query", "source", "lang", "results_count", "top_article", "top_score"]
    list_display += ["opened_article", "helpful", "followed_by"]
    list_filter = [UnansweredFilter, "source", "lang", "followed_by", "helpful", "created_at"]
    search_fields = ["query"]
    date_hierarchy = "created_at"
    list_select_related = ["top_article", "opened_article"]
    change_list_template = "knowledgebase/admin/searchlog_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.unanswered_view)
        return [path("unanswered/", report, name="knowledgebase_searchlog_unanswered"), *super().get_urls()]

    def unanswered_view(self, request):
        """What citizens asked that the FAQ did not answer, similar questions together."""
        if not self.has_view_permission(request):
            return self.admin_site.login(request)
        days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 7
        days = days if days in REPORT_WINDOWS else 7
        since = timezone.now() - timedelta(days=days)
        with_suggestions = request.GET.get("suggestions") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": _("Questions the FAQ did not answer"),
            "opts": self.model._meta,
            "groups": selectors.unanswered_question_groups(since=since, include_suggestions=with_suggestions),
            "days": days,
            "windows": REPORT_WINDOWS,
            "with_suggestions": with_suggestions,
            "changelist_url": reverse("admin:knowledgebase_searchlog_changelist"),
        }
        return TemplateResponse(request, "knowledgebase/admin/unanswered.html", context)
