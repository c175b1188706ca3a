"""Charts as server-rendered SVG (no chart library in the browser), readable on a 360 px phone.

Each chart is a ``viewBox`` 320 units wide drawn at ``width="100%"``, so it scales to the screen
and prints sharp; labels sit above their bars (never beside them) so long agency names still fit,
and every chart has a ``<title>`` and an ``aria-label`` with its numbers for screen readers. Only
presentation attributes are used (no inline ``style``), which the content security policy allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from backend.lib.i18n import t

__all__ = ["Bar", "Bars", "Chart", "Part", "Stacked", "bar_list", "stacked_bar", "svg"]

WIDTH = 320
Part = tuple[str, int, str]
"""A segment: label, value, fill colour."""
Bar = tuple[str, float]
"""A bar: label, value in percent (0–100)."""


@dataclass(frozen=True, slots=True)
class Stacked:
    """What :func:`stacked_bar` draws: one bar split into parts."""

    title: str
    parts: Sequence[Part]


@dataclass(frozen=True, slots=True)
class Bars:
    """What :func:`bar_list` draws: one percent bar per item."""

    title: str
    bars: Sequence[Bar]
    colour: str = "#1d4ed8"


Chart = Stacked | Bars
"""A chart's data, drawn as SVG here and with PDF primitives in the printable report."""


def _svg(height: int, label: str, body: str) -> Markup:
    text = escape(label)
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
                  f'aria-label="{text}" xmlns="http://www.w3.org/2000/svg"><title>{text}</title>{body}</svg>')


def stacked_bar(title: str, parts: Sequence[Part]) -> Markup:
    """One bar split into ``parts`` (proportional), with a legend line per part below it."""
    whole = sum(value for _label, value, _colour in parts)
    body, x = [f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>'], 0.0
    for _label, value, colour in parts:
        width = WIDTH * value / whole if whole else 0
        if width:
            body.append(f'<rect x="{x:.1f}" y="22" width="{width:.1f}" height="20" fill="{colour}"/>')
        x += width
    if not whole:
        body.append(f'<rect x="0" y="22" width="{WIDTH}" height="20" fill="#e5e7eb"/>')
    y = 62
    for label, value, colour in parts:
        percent = f" ({100 * value / whole:.1f}%)" if whole else ""
        body.append(f'<rect x="0" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="18" y="{y}" font-size="12">{escape(label)}: {value}{percent}</text>')
        y += 18
    summary = "; ".join(f"{label}: {value}" for label, value, _colour in parts)
    return _svg(y, f"{title} — {summary}", "".join(body))


def bar_list(title: str, bars: Sequence[Bar], colour: str = "#1d4ed8") -> Markup:
    """Horizontal percent bars, one per item, the label above each bar and the value at its end."""
    body = [f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>']
    y = 24
    track = WIDTH - 48
    for label, value in bars:
        clipped = max(0.0, min(100.0, value))
        body.append(f'<text x="0" y="{y + 12}" font-size="11">{escape(label[:60])}</text>'
                    f'<rect x="0" y="{y + 16}" width="{track}" height="10" fill="#e5e7eb"/>'
                    f'<rect x="0" y="{y + 16}" width="{track * clipped / 100:.1f}" height="10" fill="{colour}"/>'
                    f'<text x="{WIDTH}" y="{y + 25}" font-size="11" text-anchor="end">{value:.1f}%</text>')
        y += 34
    if not bars:
        body.append(f'<text x="0" y="{y + 12}" font-size="11">{escape(t("statistics.chart.no_data"))}</text>')
        y += 20
    summary = "; ".join(f"{label}: {value:.1f}%" for label, value in bars) or t("statistics.chart.no_data")
    return _svg(y + 4, f"{title} — {summary}", "".join(body))


def svg(chart: Chart) -> Markup:
    """The chart as SVG."""
    if isinstance(chart, Stacked):
        return stacked_bar(chart.title, chart.parts)
    return bar_list(chart.title, chart.bars, chart.colour)
