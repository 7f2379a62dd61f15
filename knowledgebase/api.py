"""REST doors of the knowledge base (API.md, "Knowledge base"). Search and articles are
public; the workspace assist endpoint is for staff."""

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from gosupport.models import Category
from knowledgebase import selectors, services
from knowledgebase.models import Language, SearchSource, Section
from knowledgebase.rendering import markdown_to_safe_html
from knowledgebase.search import MAX_LIMIT, MAX_QUERY_LENGTH, kb_search
from knowledgebase.visitors import visitor_key

PUBLIC_SOURCES = [SearchSource.API, SearchSource.SUGGEST, SearchSource.PAGE]


class KbAnonThrottle(AnonRateThrottle):
    scope = "kb"

    def get_rate(self):
        return getattr(settings, "KB_ANON_THROTTLE_RATE", "300/min")


def request_language(request) -> str:
    language = (translation.get_language() or Language.RUSSIAN)[:2]
    return language if language in Language.values else Language.RUSSIAN


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(min_length=2, max_length=MAX_QUERY_LENGTH, help_text=_("The question, in any words."))
    category = serializers.SlugField(required=False, help_text=_("Slug of an FAQ section or an appeal category."))
    lang = serializers.ChoiceField(choices=Language.choices, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=5)
    source = serializers.ChoiceField(choices=PUBLIC_SOURCES, default=SearchSource.API)

    def validate_category(self, value: str) -> str:
        known = Section.objects.filter(Q(slug=value) | Q(category__slug=value)).exists()
        if not known and not Category.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("Unknown category."))
        return value


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()
    lang = serializers.CharField(source="article.lang")


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)
    search_id = serializers.IntegerField(allow_null=True, help_text=_("Pass it on as s= when opening an article."))
    heading = serializers.CharField(required=False, help_text=_("With source=suggest: a heading for the list."))


class KbSearchView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [KbAnonThrottle]

    @extend_schema(parameters=[SearchParamsSerializer], responses=SearchResponseSerializer, tags=["knowledge base"])
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        results = kb_search(
            query=data["q"],
            lang=data.get("lang") or request_language(request),
            category=data.get("category"),
            limit=data["limit"],
            source=data["source"],
            visitor_key=visitor_key(request),
        )
        body = {"results": SearchResultSerializer(results, many=True).data, "search_id": results.search_id}
        if data["source"] == SearchSource.SUGGEST:
            body["heading"] = gettext("These answers may help:")
        return Response(body)


class ArticleLinkSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()


class TranslationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lang = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")


class ArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    lang = serializers.CharField()
    section = serializers.SlugField(source="section.slug")
    section_title = serializers.SerializerMethodField()
    title = serializers.CharField(source="question")
    answer_html = serializers.SerializerMethodField()
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_list")
    links = ArticleLinkSerializer(many=True)
    translations = TranslationSerializer(many=True)
    url = serializers.CharField(source="get_absolute_url")
    updated_at = serializers.DateTimeField()

    def get_section_title(self, article) -> str:
        return article.section.localized_title(article.lang)

    def get_answer_html(self, article) -> str:
        return markdown_to_safe_html(article.answer)


class KbArticleView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [KbAnonThrottle]

    @extend_schema(responses=ArticleSerializer, tags=["knowledge base"])
    def get(self, request, article_id: int):
        article = selectors.article_by_id(article_id=article_id)
        search_id = request.query_params.get("s", "")
        if search_id.isdigit() and len(search_id) < 12:
            services.search_log_mark_opened(search_id=int(search_id), article=article, visitor_key=visitor_key(request))
        return Response(ArticleSerializer(article).data)


class VoteSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    search_id = serializers.IntegerField(required=False, min_value=1)


class KbArticleVoteView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [KbAnonThrottle]

    @extend_schema(request=VoteSerializer, responses={201: VoteSerializer}, tags=["knowledge base"])
    def post(self, request, article_id: int):
        article = selectors.article_by_id(article_id=article_id)
        vote = VoteSerializer(data=request.data)
        vote.is_valid(raise_exception=True)
        services.article_vote(
            article=article,
            helpful=vote.validated_data["helpful"],
            voter_key=visitor_key(request),
            search_id=vote.validated_data.get("search_id"),
        )
        return Response(vote.validated_data, status=status.HTTP_201_CREATED)


class SectionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.SerializerMethodField()
    articles = serializers.SerializerMethodField()

    def get_title(self, section) -> str:
        return section.localized_title(self.context["lang"])

    def get_articles(self, section) -> list[dict]:
        return [{"id": a.pk, "title": a.question, "url": a.get_absolute_url()} for a in section.reader_articles]


class KbSectionListView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [KbAnonThrottle]

    @extend_schema(responses=SectionSerializer(many=True), tags=["knowledge base"])
    def get(self, request):
        lang = request.query_params.get("lang") or request_language(request)
        lang = lang if lang in Language.values else Language.RUSSIAN
        sections = selectors.sections_for_reader(lang=lang)
        return Response(SectionSerializer(sections, many=True, context={"lang": lang}).data)


class AssistParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH, default="")
    category = serializers.SlugField(required=False)
    lang = serializers.ChoiceField(choices=Language.choices, default=Language.RUSSIAN)


class CannedResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shortcut = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField(help_text=_("With placeholders; the workspace fills them for the appeal."))
    lang = serializers.CharField()
    category = serializers.SlugField(source="category.slug", allow_null=True, default=None)


class AssistArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.SerializerMethodField()
    score = serializers.FloatField()

    def get_url(self, hit) -> str:
        return self.context["request"].build_absolute_uri(hit.url)


class AssistResponseSerializer(serializers.Serializer):
    canned = CannedResponseSerializer(many=True)
    articles = AssistArticleSerializer(many=True)


class KbWorkspaceAssistView(APIView):
    """What an operator answering an appeal needs: canned responses (by shortcut, title
    or text) and FAQ articles with absolute links to paste."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[AssistParamsSerializer], responses=AssistResponseSerializer, tags=["knowledge base"])
    def get(self, request):
        if not request.user.is_staff_member:
            raise PermissionDenied
        params = AssistParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        canned = selectors.canned_responses_matching(
            user=request.user, query=data["q"], category=data.get("category"), lang=data["lang"]
        )
        articles = []
        if len(data["q"].strip()) >= 2:
            articles = kb_search(query=data["q"], lang=data["lang"], limit=5, source=SearchSource.WORKSPACE)
        body = {
            "canned": CannedResponseSerializer(canned, many=True).data,
            "articles": AssistArticleSerializer(articles, many=True, context={"request": request}).data,
        }
        return Response(body)
