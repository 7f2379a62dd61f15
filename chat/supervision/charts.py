"""Small server-rendered SVG charts: no script, no style attribute, so they pass the CSP
and print the same on the dashboard, in the HTML report and in an e-mail client."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7c3aed")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


def _plot_box() -> tuple[int, int]:
    return WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _y(value: float, top: float) -> float:
    _width, height = _plot_box()
    return TOP + height - (value / top * height if top else 0)


def _axis(labels: list[str], top: float, title: str) -> SafeString:
    width, height = _plot_box()
    step = max(1, len(labels) // 8)
    slot = width / max(len(labels), 1)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#444">{}</text>',
        ((_f(LEFT + slot * (i + 0.5)), HEIGHT - 10, label) for i, label in enumerate(labels) if i % step == 0),
    )
    return format_html(
        '<title>{}</title><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#444">{}</text>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#444">0</text>{}',
        title,
        LEFT,
        TOP + height,
        LEFT + width,
        TOP + height,
        LEFT - 4,
        TOP + 10,
        _number(top),
        LEFT - 4,
        TOP + height,
        ticks,
    )


def _f(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def _svg(body: SafeString, title: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}" class="chart">{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        title,
        body,
    )


def _legend(series: list[Series]) -> SafeString:
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
        '<text x="{}" y="{}" font-size="11" fill="#222">{}</text>',
        ((LEFT + 8 + 150 * i, TOP, COLOURS[i % 4], LEFT + 22 + 150 * i, TOP + 9, s.name) for i, s in enumerate(series)),
    )


def line_chart(*, title: str, labels: list[str], series: list[Series], top: float | None = None) -> SafeString:
    """Lines over the labels; a missing value breaks the line."""
    known = [v for s in series for v in s.values if v is not None]
    top = top or max(known, default=0) or 1
    width, _height = _plot_box()
    slot = width / max(len(labels), 1)
    paths, dots = [], []
    for index, line in enumerate(series):
        points, pen_down = [], False
        for i, value in enumerate(line.values):
            if value is None:
                pen_down = False
                continue
            x, y = _f(LEFT + slot * (i + 0.5)), _f(_y(value, top))
            points.append(f"{'L' if pen_down else 'M'}{x} {y}")
            dots.append((x, y, COLOURS[index % 4], line.name, labels[i], value))
            pen_down = True
        paths.append((" ".join(points) or "M0 0", COLOURS[index % 4]))
    lines = format_html_join("", '<path d="{}" fill="none" stroke="{}" stroke-width="2"/>', paths)
    # A day between two empty ones has no segment: its dot still shows it.
    marks = format_html_join("", '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{} {}: {}</title></circle>', dots)
    return _svg(_axis(labels, top, title) + lines + marks + _legend(series), title)


def bar_chart(*, title: str, labels: list[str], values: list[float]) -> SafeString:
    top = max(values, default=0) or 1
    width, height = _plot_box()
    slot = width / max(len(labels), 1)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                _f(LEFT + slot * i + 1),
                _f(_y(v, top)),
                _f(max(slot - 2, 1)),
                _f(TOP + height - _y(v, top)),
                COLOURS[0],
                labels[i],
                v,
            )
            for i, v in enumerate(values)
        ),
    )
    return _svg(_axis(labels, top, title) + bars, title)


def empty_chart(title: str) -> SafeString:
    return _svg(format_html("<title>{}</title>", title), title)
