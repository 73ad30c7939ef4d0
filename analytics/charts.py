"""Charts drawn on the server as SVG: no JavaScript library, printable, and every chart is
shown beside the table of the numbers it draws.

Functions take plain (label, value) series and return SVG markup with every text escaped.
"""

from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 12, 40
PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal, ...]


def _scale(values) -> tuple[Decimal, Decimal]:
    low = min([Decimal(0), *values])
    high = max([Decimal(0), *values])
    return low, (high if high != low else low + 1)


def _y(value, low, high) -> float:
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    return PAD_TOP + plot * float((high - Decimal(value)) / (high - low))


def _axis(labels, low, high, slot: float) -> list[str]:
    parts = [f'<line x1="{PAD_LEFT}" y1="{_y(0, low, high):.1f}" x2="{WIDTH - PAD_RIGHT}" '
             f'y2="{_y(0, low, high):.1f}" class="axis"/>']
    for value in (low, (low + high) / 2, high):
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{_y(value, low, high) + 4:.1f}" '
                     f'class="tick" text-anchor="end">{_short(value)}</text>')
    every = max(1, len(labels) // 12)
    for index, label in enumerate(labels):
        if index % every == 0:
            x = PAD_LEFT + slot * (index + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" class="tick" '
                         f'text-anchor="middle">{escape(label)}</text>')
    return parts


def _short(value) -> str:
    value = Decimal(value)
    for power, suffix in ((9, "B"), (6, "M"), (3, "k")):
        limit = Decimal(10) ** power
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}"


def _legend(series: list[Series]) -> list[str]:
    parts = []
    for index, one in enumerate(series):
        x = PAD_LEFT + index * 130
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" '
                     f'fill="{PALETTE[index % len(PALETTE)]}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT - 5}" class="tick">{escape(one.name)}</text>')
    return parts


def _svg(title: str, parts: list[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f'<title>{escape(title)}</title>{"".join(parts)}</svg>')


def bar_chart(title: str, labels: list[str], series: list[Series]) -> str:
    """Grouped bars: one group per label, one bar per series (negative values hang below 0)."""
    values = [v for one in series for v in one.values]
    low, high = _scale(values)
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(1, len(labels))
    bar = slot * 0.8 / max(1, len(series))
    parts = _axis(labels, low, high, slot)
    for s_index, one in enumerate(series):
        for index, value in enumerate(one.values):
            top, zero = _y(max(value, 0), low, high), _y(min(value, 0), low, high)
            x = PAD_LEFT + slot * index + slot * 0.1 + bar * s_index
            parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                         f'height="{max(zero - top, 0.5):.1f}" '
                         f'fill="{PALETTE[s_index % len(PALETTE)]}">'
                         f'<title>{escape(one.name)} {escape(labels[index])}: {value}'
                         f'</title></rect>')
    if len(series) > 1:
        parts += _legend(series)
    return _svg(title, parts)


def line_chart(title: str, labels: list[str], series: list[Series]) -> str:
    """One polyline per series over the labels."""
    values = [v for one in series for v in one.values]
    low, high = _scale(values)
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(1, len(labels))
    parts = _axis(labels, low, high, slot)
    for s_index, one in enumerate(series):
        points = " ".join(f"{PAD_LEFT + slot * (i + 0.5):.1f},{_y(v, low, high):.1f}"
                          for i, v in enumerate(one.values))
        parts.append(f'<polyline points="{points}" fill="none" stroke-width="2" '
                     f'stroke="{PALETTE[s_index % len(PALETTE)]}"/>')
    if len(series) > 1:
        parts += _legend(series)
    return _svg(title, parts)
