"""The supervisor's pages inside the admin: the live dashboard, presence switches, quality.

Each is wrapped by the admin site, so only supervisors reach them (anybody else is sent
to the admin sign-in, as for every admin page)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.services import operator_presence_set
from chat.supervision import charts
from chat.supervision.dashboard import Dashboard, dashboard_snapshot
from chat.supervision.forms import PeriodForm, PresenceForm
from chat.supervision.quality import quality_sections, rated_conversations
from chat.supervision.report import Period
from gosupport.models import Presence, User

REFRESH_SECONDS = 30
RATINGS_PER_PAGE = 25


def _charts(dashboard: Dashboard) -> dict:
    labels = [point.day.strftime("%d.%m") for point in dashboard.trend]
    return {
        "volume": charts.bar_chart(
            title=_("Appeals per day, last 30 days"), labels=labels, values=[p.volume for p in dashboard.trend]
        ),
        "sla": charts.line_chart(
            title=_("SLA compliance per day, %"),
            labels=labels,
            top=100,
            series=[
                charts.Series(_("First response"), [p.first_response_within_percent for p in dashboard.trend]),
                charts.Series(_("Resolution"), [p.resolution_within_percent for p in dashboard.trend]),
            ],
        ),
        "hours": charts.bar_chart(
            title=_("Appeals by hour of the day, last 30 days"),
            labels=[f"{hour:02d}" for hour in range(24)],
            values=dashboard.load_by_hour,
        ),
    }


def dashboard_view(request):
    partial = request.GET.get("partial") == "1"
    dashboard = dashboard_snapshot()
    context = {
        **admin.site.each_context(request),
        "title": _("Live dashboard"),
        "dashboard": dashboard,
        "charts": _charts(dashboard),
        "presences": Presence.choices,
        "refresh_seconds": REFRESH_SECONDS,
    }
    template = "supervision/_dashboard_body.html" if partial else "supervision/dashboard.html"
    return TemplateResponse(request, template, context)


@require_POST
def operator_presence_view(request, user_id: int):
    operator = get_object_or_404(User, pk=user_id, operator_profile__isnull=False)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose online, away or offline."))
        return redirect("supervision:dashboard")
    try:
        operator_presence_set(operator=operator, presence=form.cleaned_data["presence"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now %(presence)s.")
            % {"name": operator.get_username(), "presence": Presence(form.cleaned_data["presence"]).label},
        )
    return redirect("supervision:dashboard")


def quality_view(request):
    form = PeriodForm(request.GET)
    context = {**admin.site.each_context(request), "title": _("Quality"), "form": form}
    if not form.is_valid():
        return TemplateResponse(request, "supervision/quality.html", context, status=400)
    data = form.cleaned_data
    period = Period.of_days(data["first"], data["last"])
    ratings = rated_conversations(period=period, score=data.get("score"))
    context |= {
        "period": data,
        "sections": quality_sections(period=period),
        "ratings": Paginator(ratings, RATINGS_PER_PAGE).get_page(request.GET.get("page")),
    }
    return TemplateResponse(request, "supervision/quality.html", context)
