"""What the SVG pictures (the org chart, the nine-box) share: escaping, fonts that show
Chinese, text measured well enough to fit a box, the language of the labels, the colours, and
the document around the drawing.

Every text goes out as a real ``<text>`` element (searchable, copyable), escaped with
:func:`html.escape`; the document is self-contained (inline CSS, no external fonts or images)
and declares UTF-8.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable

#: fonts with Chinese glyphs first, on Linux, macOS and Windows; then any sans-serif
FONT_FAMILY = ('"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
               '"Microsoft YaHei", "PingFang SC", sans-serif')
MEDIA_TYPE = "image/svg+xml; charset=utf-8"

#: department colours (fill, border): light fills that keep black text readable
PALETTE = (
    ("#e8f1fb", "#4a7fc1"), ("#e9f6ec", "#4b9a5d"), ("#fdf3e1", "#c08a2e"),
    ("#f4eafa", "#8a5bb5"), ("#e5f6f6", "#3f9696"), ("#fbe9ef", "#b8557a"),
    ("#eef0f3", "#6b7686"), ("#f1f6e4", "#7c9a32"), ("#e8ecfb", "#5865c0"),
    ("#fbeee6", "#bd6b3c"), ("#e6f3fb", "#3a8fbf"), ("#f7f3e3", "#9c8a3a"),
)
VACANT = "#d97706"  # amber: headcount not filled
OVER = "#dc2626"  # red: more incumbents than headcount


def esc(text: object) -> str:
    """Text for an SVG element or attribute."""
    return html.escape(str(text), quote=True)


def wide(char: str) -> bool:
    """A character drawn about as wide as it is tall: Chinese, full-width forms, and the
    ellipsis (CJK fonts draw it full width)."""
    return char == "…" or unicodedata.east_asian_width(char) in ("W", "F")


def chinese(texts: Iterable[str]) -> bool:
    """Whether the data is in Chinese: some text holds a CJK ideograph. The labels then
    follow it (空缺, 超编 ...); else they are English."""
    return any(unicodedata.east_asian_width(c) == "W" and unicodedata.category(c) == "Lo"
               for t in texts for c in t)


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width at font size ``size``: wide characters one em,
    others 0.6 em (a little more than most Latin glyphs: the estimate errs on the wide
    side, so text fitted with it stays inside its box)."""
    return sum(size if wide(c) else 0.6 * size for c in text)


def fit(text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def flow(names: list[str], hidden: int, others: str, sep: str, size: float, width: float,
         max_lines: int) -> list[str]:
    """Names joined by ``sep`` in at most ``max_lines`` lines of ``width`` (font ``size``);
    the people not named, those that do not fit and ``hidden`` more, counted at the end
    with ``others`` (a template with ``{n}``: "另 {n} 人")."""
    lines: list[str] = []
    current: list[str] = []
    for i, name in enumerate(names):
        if text_width(sep.join([*current, name]), size) <= width:
            current.append(name)
        elif current and len(lines) < max_lines - 1:
            lines.append(sep.join(current))
            current = [fit(name, size, width)]
        else:
            return [*lines, _counted(current, len(names) - i + hidden, others, sep, size,
                                     width)]
    if hidden:
        return [*lines, *_last(current, hidden, others, sep, size, width, len(lines),
                               max_lines)]
    return [*lines, sep.join(current)]


def _last(current: list[str], hidden: int, others: str, sep: str, size: float, width: float,
          used: int, max_lines: int) -> list[str]:
    """The last line(s) when ``hidden`` people follow the names: on the same line, else on
    a line of their own if one is left, else counted with names dropped from the line."""
    label = others.format(n=hidden)
    if text_width(sep.join([*current, label]), size) <= width:
        return [sep.join([*current, label])]
    if used + 1 < max_lines:
        return [sep.join(current), fit(label, size, width)]
    return [_counted(current, hidden, others, sep, size, width)]


def _counted(names: list[str], rest: int, others: str, sep: str, size: float,
             width: float) -> str:
    """``names`` and the count of ``rest`` more, names dropped from the end (and counted)
    until it fits."""
    names = list(names)
    while True:
        candidate = sep.join([*names, others.format(n=rest)])
        if text_width(candidate, size) <= width or not names:
            return fit(candidate, size, width)
        names.pop()
        rest += 1


def text(x: float, y: float, content: str, css: str = "", anchor: str = "start") -> str:
    """One ``<text>`` element (``css``: its class names)."""
    cls = f' class="{css}"' if css else ""
    where = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{cls}{where}>{esc(content)}</text>'


def rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "none",
         radius: float = 0, extra: str = "") -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{radius}" '
            f'fill="{fill}" stroke="{stroke}"{extra}/>')


def document(width: float, height: float, title: str, body: Iterable[str],
             style: str = "") -> str:
    """The whole SVG file: XML declaration (UTF-8), size, ``<title>``, inline CSS, fonts."""
    w, h = round(width), round(height)
    return "\n".join((
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="{esc(FONT_FAMILY)}">',
        f"<title>{esc(title)}</title>",
        f"<style>text {{ fill: #1f2933; }} {style}</style>",
        rect(0, 0, w, h, "#ffffff"),
        *body,
        "</svg>",
        "",
    ))
