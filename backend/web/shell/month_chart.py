"""A small server-rendered SVG bar chart of the month's deadlines (no chart library in the browser).

One bar per day, its height the number of deadlines that day; the part still open is drawn on top
in the warning colour when the day is past (overdue) and in the accent colour otherwise; today is
outlined. Colours are SVG attributes (the CSP allows no inline ``style``). The chart scales to the
width of a 360 px screen through its ``viewBox``; its text alternative is given by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from backend.domain.reminders.figures import DayDeadlines

__all__ = ["month_svg"]

_BAR, _GAP, _HEIGHT, _AXIS = 8, 2, 60, 12
_DONE, _OPEN, _LATE, _TODAY = "#8fa9c7", "#1d5fa8", "#c0392b", "#222"


def month_svg(days: Sequence[DayDeadlines], today: date, label: str) -> str:
    """The chart as an ``<svg>`` element; ``label`` is its accessible name."""
    width = len(days) * (_BAR + _GAP)
    peak = max((d.total for d in days), default=0) or 1
    parts = [f'<svg class="month-chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} '
             f'{_HEIGHT + _AXIS}" width="100%" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">']
    for index, day in enumerate(days):
        x = index * (_BAR + _GAP)
        total_h = round(day.total / peak * _HEIGHT)
        open_h = round(day.open / peak * _HEIGHT)
        if total_h:
            parts.append(f'<rect x="{x}" y="{_HEIGHT - total_h}" width="{_BAR}" height="{total_h}" fill="{_DONE}">'
                         f'<title>{day.day:%d/%m}: {day.total} hạn xử lý, {day.open} chưa xong</title></rect>')
        if open_h:
            colour = _LATE if day.day < today else _OPEN
            parts.append(f'<rect x="{x}" y="{_HEIGHT - open_h}" width="{_BAR}" height="{open_h}" fill="{colour}"/>')
        if day.day == today:
            parts.append(f'<rect x="{x - 0.5}" y="0.5" width="{_BAR + 1}" height="{_HEIGHT - 0.5}" fill="none" '
                         f'stroke="{_TODAY}" stroke-width="1"/>')
        if day.day.day in (1, 10, 20) or day.day == days[-1].day:
            parts.append(f'<text x="{x + _BAR / 2}" y="{_HEIGHT + _AXIS - 2}" font-size="8" text-anchor="middle" '
                         f'fill="{_TODAY}">{day.day.day}</text>')
    parts.append("</svg>")
    return "".join(parts)
