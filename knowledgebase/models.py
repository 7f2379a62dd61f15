"""The FAQ (sections, articles, their links), the search vocabulary, canned responses
for operators and the search analytics."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gosupport.models import Category


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")


class Section(models.Model):
    """A chapter of the FAQ ("SMS codes and second factor"); may point at the appeal category it serves."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("appeal category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        verbose_name = _("FAQ section")
        verbose_name_plural = _("FAQ sections")
        ordering = ["ordering", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kb:section", kwargs={"slug": self.slug})

    def localized_title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title


class Article(models.Model):
    """One question and its answer in one language; translations share the slug."""

    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(_("slug"), max_length=100)
    lang = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.RUSSIAN)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer (Markdown)"))
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Words citizens use for this question, separated by commas.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Derived by the services on every write; the search reads only these.
    answer_text = models.TextField(_("answer as plain text"), blank=True, editable=False)
    stems_question = models.TextField(blank=True, editable=False)
    stems_keywords = models.TextField(blank=True, editable=False)
    stems_answer = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["section__ordering", "ordering", "question"]
        constraints = [models.UniqueConstraint(fields=["slug", "lang"], name="kb_article_slug_lang_unique")]
        indexes = [models.Index(fields=["lang", "is_published"], name="kb_article_lang_idx")]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        url = reverse("kb:article", kwargs={"slug": self.slug})
        return url if self.lang == Language.RUSSIAN else f"{url}?lang={self.lang}"

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("\n", ",").split(",") if k.strip()]


class LinkKind(models.TextChoices):
    REGULATION = "regulation", _("Regulation")
    VIDEO = "video", _("Video guide")
    OTHER = "other", _("Useful link")


class ArticleLink(models.Model):
    """A regulation or a video guide that backs an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices, default=LinkKind.REGULATION)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address"), max_length=500)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        verbose_name = _("article link")
        verbose_name_plural = _("article links")
        ordering = ["ordering", "pk"]

    def __str__(self) -> str:
        return self.title


class Term(models.Model):
    """A word of the published articles of one language, with its stem and how many
    articles contain that stem: the vocabulary for typo correction and for IDF weights."""

    lang = models.CharField(max_length=2, choices=Language.choices)
    word = models.CharField(max_length=64)
    stem = models.CharField(max_length=64)
    length = models.PositiveSmallIntegerField()
    df = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [models.UniqueConstraint(fields=["lang", "word"], name="kb_term_lang_word_unique")]
        indexes = [
            models.Index(fields=["lang", "stem"], name="kb_term_stem_idx"),
            models.Index(fields=["lang", "length"], name="kb_term_length_idx"),
        ]

    def __str__(self) -> str:
        return self.word


class SearchSource(models.TextChoices):
    PAGE = "page", _("Help pages")
    SUGGEST = "suggest", _("Suggestions while typing")
    API = "api", _("API")
    CHAT = "chat", _("Chat bot")
    WORKSPACE = "workspace", _("Operator workspace")


class FollowUp(models.TextChoices):
    NONE = "", _("Nothing")
    CHAT = "chat", _("Chat")
    APPEAL = "appeal", _("Appeal")


class SearchLog(models.Model):
    """One search: what was asked, what it found, what the citizen did next."""

    created_at = models.DateTimeField(_("asked at"), db_index=True)
    query = models.CharField(_("query"), max_length=300)
    query_key = models.CharField(_("normalised query"), max_length=300, db_index=True)
    lang = models.CharField(_("language"), max_length=2, choices=Language.choices)
    category = models.CharField(_("section or category"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=SearchSource.choices)
    results_count = models.PositiveSmallIntegerField(_("results"))
    top_article = models.ForeignKey(
        Article, verbose_name=_("best result"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    top_score = models.FloatField(_("best score"), default=0)
    opened_article = models.ForeignKey(
        Article, verbose_name=_("article opened"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    helpful = models.BooleanField(_("helped"), null=True, blank=True)
    followed_by = models.CharField(_("followed by"), max_length=8, choices=FollowUp.choices, blank=True, default="")
    followed_at = models.DateTimeField(_("followed at"), null=True, blank=True)
    # A keyed hash of the user or session that searched: knows them again on their vote,
    # cannot be turned back into a session key.
    visitor = models.CharField(_("visitor"), max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.query


class ArticleVote(models.Model):
    """A "did this help?" answer; one per article and voter (the last one counts)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    helpful = models.BooleanField(_("helped"))
    voter_key = models.CharField(max_length=64, blank=True)
    search = models.ForeignKey(SearchLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("voted at"))

    class Meta:
        verbose_name = _("article vote")
        verbose_name_plural = _("article votes")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "voter_key"], condition=~models.Q(voter_key=""), name="kb_vote_once_per_voter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class CannedResponse(models.Model):
    """A ready answer an operator inserts by its shortcut; placeholders like
    {citizen_name} are filled from the appeal being answered."""

    title = models.CharField(_("title"), max_length=200)
    shortcut = models.SlugField(_("shortcut"), max_length=40)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty to offer it in every queue."),
    )
    lang = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.RUSSIAN)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["shortcut"]
        constraints = [models.UniqueConstraint(fields=["shortcut", "lang"], name="kb_canned_shortcut_lang_unique")]

    def __str__(self) -> str:
        return f"/{self.shortcut} {self.title}"
