"""The community page's charts, drawn on the server as SVG with pygal from a `page.Chart` (the
same data its table shows). No script (pygal's js=[]: its tooltips need one) and no address
of anything outside: the configuration pygal writes into a <script> whatever `js` says, and
its comments (its site, its repository), are taken out, so the only URL left is the SVG
namespace.

Sized for a phone: the drawing is 360 units wide and scales to the width it is given, so the
text is drawn large enough to stay readable at 320 px. The colours are the design tokens':
text in ink on paper (17:1), the areas in colours that each reach 3:1 on white (WCAG 1.4.11
for parts of a graphic) and stay apart from their neighbours in a stack; the legend and the
table beside the chart say which is which, so colour is never the only key. The font is the
system's (the same list as the pages'): an <img> may not load a web font, and needs none."""

from __future__ import annotations

import sys
from xml.etree import ElementTree

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from webapp.community.masking import shown
from webapp.community.page import Chart

# pygal puts a finder for its map plugins on sys.meta_path written the old way (find_module):
# Python warns (ImportWarning) each time an import reaches it, which is every optional import
# that fails anywhere in the process. No map is drawn here: it is taken out again.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

FONT = (
    '"Noto Sans JP", "Noto Sans CJK JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", '
    '"Yu Gothic", Meiryo, sans-serif'
)
# 市内 brand green, 県内 a lighter green, 県外 amber, 未回答 grey: all at least 3:1 on white.
AREA_COLOURS = ("#1f4e3d", "#3d8a5f", "#a15c00", "#767676")
COIN_COLOURS = ("#1f4e3d", "#a15c00")
EVENT_COLOURS = ("#1f4e3d",)

WIDTH, HEIGHT = 360, 280


def _style(colours: tuple[str, ...]) -> Style:
    return Style(
        font_family=FONT,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#d9dcd6",
        colors=colours,
        opacity="1",
        opacity_hover="1",
        transition="0ms",
        label_font_size=15,
        major_label_font_size=15,
        legend_font_size=16,
        value_font_size=13,
        tooltip_font_size=13,
        no_data_font_size=16,
        title_font_size=16,
    )


def render_svg(chart: Chart) -> str:
    colours = {"participation": AREA_COLOURS, "coins": COIN_COLOURS}.get(chart.key, EVENT_COLOURS)
    kind = pygal.StackedBar if chart.stacked else pygal.Bar
    drawing = kind(
        js=[],  # no script in the SVG (and none could run in an <img> anyway)
        width=WIDTH,
        height=HEIGHT,
        explicit_size=False,  # a viewBox only: the page's CSS gives it its width
        disable_xml_declaration=True,
        style=_style(colours),
        show_legend=len(chart.series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        legend_box_size=16,
        truncate_legend=-1,
        truncate_label=-1,
        margin=8,
        spacing=8,
        show_y_guides=True,
        min_scale=2,
        max_scale=6,
        y_labels_major_every=None,
        # Twelve months do not fit a phone's width as words: every third month is written.
        x_labels_major_every=3 if len(chart.labels) > 6 else None,
        show_minor_x_labels=len(chart.labels) <= 6,
        print_values=False,
        tooltip_border_radius=0,
        no_data_text=_("No figures yet"),
        allow_interruptions=True,
    )
    drawing.x_labels = chart.labels
    for name, values in chart.series:
        # A hidden figure (below 5, or withheld) is drawn as no bar.
        drawing.add(name, [value if shown(value) else None for value in values])
    return _without_script(drawing.render_tree(), str(chart.title))


def _without_script(root, title: str) -> str:
    """The drawing as SVG text with no script in it: pygal writes its configuration into a
    <script> whatever `js` says (for its tooltips' script), and comments naming its site.
    pygal names every drawing "Pygal": it is given the chart's title instead."""
    for parent in root.iter():
        for child in list(parent):
            if child.tag == "script" or child.tag is ElementTree.Comment:
                parent.remove(child)
            elif child.tag == "title" and child.text == "Pygal":
                child.text = title
    return ElementTree.tostring(root, encoding="unicode")
