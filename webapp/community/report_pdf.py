"""The report for the town as a PDF: A4 portrait, in Japanese, in the shipped Noto font (real,
searchable text). A title block (community, period, made on), the period's figures by where
people live as tables, two charts (check-ins per month stacked by where people live; coins
issued and spent per month), the months, shops, places and projects as tables.

The charts are drawn with fpdf2's own rectangles and lines from the report's numbers: a pygal
SVG would come through fpdf2's SVG import without its text and styles, and a printed chart must
match the table under it exactly. Each chart has a legend in words, its areas are told apart by
lightness as well as hue (a black-and-white printer keeps them apart), and the table of months
under the charts holds every number they draw."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from webapp.community.figures import AREA_NAMES
from webapp.community.periods import period_label
from webapp.community.report import (
    COUNT_FIGURES,
    LOCAL_SHARE,
    PROJECT_STATUS,
    SPLIT_FIGURES,
    Report,
)
from webapp.core.i18n import number
from webapp.core.pdf import FONT, new_document, printed_language
from webapp.profiles.residence import AREAS

MARGIN = 15
WIDTH = 210 - 2 * MARGIN
INK, MUTED, LINE = (26, 26, 26), (77, 77, 77), (118, 118, 118)
HEADING_FILL = (228, 239, 233)
# 市内, 県内, 県外, 未回答: from dark to light, so a grey print keeps them apart too.
AREA_FILLS = {
    AREAS[0]: (31, 78, 61),
    AREAS[1]: (74, 138, 108),
    AREAS[2]: (158, 201, 178),
    AREAS[3]: (235, 235, 235),
}
ISSUED_FILL, SPENT_FILL = (31, 78, 61), (200, 160, 60)
BAND_FILL = (236, 240, 233)  # behind the period's months, when months before it are drawn
CHART_HEIGHT = 62


def report_pdf(report: Report) -> bytes:
    with printed_language():
        label = period_label(report.period)
        title = _("Participation report of %(community)s", community=report.community)
        pdf = new_document("A4", f"{title}: {label}", MARGIN)
        pdf.set_auto_page_break(True, margin=MARGIN + 5)
        pdf.set_text_color(*INK)
        pdf.set_draw_color(*LINE)

        def footer() -> None:
            pdf.set_y(-MARGIN)
            pdf.set_font(FONT, size=8)
            pdf.set_text_color(*MUTED)
            words = f"{report.community} · {label} · {pdf.page_no()} / {{nb}}"
            pdf.cell(WIDTH, 5, words, align="C")
            pdf.set_text_color(*INK)

        pdf.footer = footer  # FPDF calls it on each page, also those its tables add
        _title_block(pdf, report, title, label)
        _figures(pdf, report)
        _charts(pdf, report)
        _months(pdf, report)
        _shops(pdf, report)
        _places(pdf, report)
        _projects(pdf, report)
        return bytes(pdf.output())


def _title_block(pdf: FPDF, report: Report, title: str, label: str) -> None:
    pdf.set_font(FONT, size=12)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(WIDTH, 6, report.community, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=22)
    pdf.multi_cell(WIDTH, 11, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(WIDTH, 9, label, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, size=10)
    zone = report.zone

    def day(moment) -> str:
        return format_date(moment.astimezone(ZoneInfo(zone)), "long")

    lines = [_("Made on %(date)s", date=day(report.generated_at))]
    if report.figures.refreshed_at is not None:
        lines.append(_("Figures as of %(date)s", date=day(report.figures.refreshed_at)))
    lines.append(_("Months are counted in the time zone %(zone)s.", zone=zone))
    for line in lines:
        pdf.multi_cell(WIDTH, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        WIDTH,
        5,
        _(
            "Members say where they live if they wish. Check-ins and coins count where the "
            "member lived in the month of each; people count where they lived at the end of "
            "the period. Every figure is a count over people: no one is named."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(*INK)
    pdf.ln(3)


def _heading(pdf: FPDF, words: str, room: float = 30) -> None:
    """A section's heading, on a new page when less than `room` mm would follow it."""
    if pdf.get_y() + 10 + room > pdf.h - MARGIN - 5:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, size=14)
    pdf.multi_cell(WIDTH, 8, words, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _table(
    pdf: FPDF,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    size: float = 9,
) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_fill_color(255)  # the charts leave theirs behind
    align = ["LEFT"] + ["RIGHT"] * (len(header) - 1)
    with pdf.table(
        col_widths=widths,
        width=WIDTH,
        text_align=align,
        headings_style=FontFace(emphasis="", fill_color=HEADING_FILL),
        line_height=size * 0.55,
        padding=(1, 1.5),
        wrapmode=WrapMode.CHAR,
        align="LEFT",
    ) as table:
        heading = table.row()
        for words in header:
            heading.cell(words, align="CENTER")
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.ln(3)


def _area_header(first: str) -> list[str]:
    return [first, *(str(AREA_NAMES[area]) for area in AREAS), _("Total")]


def _figures(pdf: FPDF, report: Report) -> None:
    figures = report.figures
    _heading(pdf, _("Figures for the period, by where people live"), room=70)
    rows = []
    for code, name in SPLIT_FIGURES:
        split = getattr(figures, code)
        rows.append([str(name), *(number(split[area]) for area in AREAS), number(split.total)])
    rows.append(
        [
            str(LOCAL_SHARE),
            *(_percent(figures.local_share(area)) for area in AREAS),
            _percent(figures.local_share()),
        ]
    )
    _table(pdf, _area_header(_("Figure")), rows, (58, 22, 22, 22, 22, 34))
    counts = [[str(name), number(getattr(figures, code))] for code, name in COUNT_FIGURES]
    _table(pdf, [_("Figure"), _("Number")], counts, (146, 34))


def _charts(pdf: FPDF, report: Report) -> None:
    trend = report.figures.trend
    period = report.period
    labels = [
        (*_month_tick(month.month, index), period.first <= month.month <= period.last)
        for index, month in enumerate(trend)
    ]
    _heading(pdf, _("Check-ins per month, by where people live"), room=CHART_HEIGHT + 20)
    _bar_chart(
        pdf,
        labels,
        [
            (str(AREA_NAMES[area]), [month.checkins[area] for month in trend], AREA_FILLS[area])
            for area in AREAS
        ],
        stacked=True,
    )
    _heading(pdf, _("Coins issued and spent at partner shops per month"), room=CHART_HEIGHT + 20)
    _bar_chart(
        pdf,
        labels,
        [
            (_("Coins issued"), [month.coins_issued for month in trend], ISSUED_FILL),
            (_("Coins spent at partner shops"), [month.coins_spent for month in trend], SPENT_FILL),
        ],
        stacked=False,
    )


def _bar_chart(
    pdf: FPDF,
    labels: list[tuple[str, str, bool]],
    series: list[tuple[str, list[int], tuple[int, int, int]]],
    stacked: bool,
) -> None:
    """Bars per month: stacked (the series add up to the bar) or side by side; a scale on the
    left, the month under each bar, the year under its first month and each January, the
    stacked bar's total over it, and the legend in words under the chart. When months before
    the period are drawn too, the period's months stand on a shaded band."""
    pdf.set_font(FONT, size=7)
    left, top = pdf.l_margin + 12, pdf.get_y() + 4
    width, height = WIDTH - 12, CHART_HEIGHT - 14
    bottom = top + height
    months = len(labels)
    totals = [sum(values[i] for _n, values, _f in series) for i in range(months)]
    peak = max(totals if stacked else [max(v) for v in zip(*(s[1] for s in series), strict=True)])
    step = _nice_step(peak)
    ceiling = step * 4

    slot = width / max(months, 1)
    shaded = [index for index, label in enumerate(labels) if label[2]]
    if len(shaded) < months:
        pdf.set_fill_color(*BAND_FILL)
        pdf.rect(left + slot * shaded[0], top, slot * len(shaded), height, style="F")
    pdf.set_draw_color(210, 214, 208)
    pdf.set_text_color(*MUTED)
    for tick in range(5):
        y = bottom - height * tick / 4
        pdf.line(left, y, left + width, y)
        pdf.set_xy(pdf.l_margin, y - 2)
        pdf.cell(11, 4, number(step * tick), align="R")
    bar = slot * (0.6 if stacked else 0.36)
    for index, (month, year, _in_period) in enumerate(labels):
        x = left + slot * index + (slot - (bar if stacked else bar * 2)) / 2
        base = bottom
        for position, (_name, values, fill) in enumerate(series):
            value = values[index]
            tall = height * value / ceiling if ceiling else 0
            pdf.set_fill_color(*fill)
            pdf.set_draw_color(*INK)
            bar_x = x if stacked else x + bar * position
            if tall > 0:
                pdf.rect(bar_x, (base if stacked else bottom) - tall, bar, tall, style="DF")
            if stacked:
                base -= tall
        if stacked and totals[index]:
            pdf.set_text_color(*INK)
            pdf.set_xy(left + slot * index, base - 4)
            pdf.cell(slot, 4, number(totals[index]), align="C")
        pdf.set_text_color(*MUTED)
        pdf.set_xy(left + slot * index, bottom + 0.5)
        pdf.cell(slot, 3.5, month, align="C")
        if year:
            pdf.set_xy(left + slot * index, bottom + 4)
            pdf.cell(slot, 3.5, year, align="C")
    pdf.set_draw_color(*INK)
    pdf.line(left, bottom, left + width, bottom)

    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=8)
    x, y = left, bottom + 9
    if stacked:
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(WIDTH, 4, _("From the bottom of each bar:"))
        y += 5
    for name, _values, fill in series:
        pdf.set_fill_color(*fill)
        pdf.set_draw_color(*INK)
        pdf.rect(x, y + 0.5, 4, 3, style="DF")
        pdf.set_xy(x + 5, y)
        words = f"{name}"
        pdf.cell(pdf.get_string_width(words) + 1, 4, words)
        x += pdf.get_string_width(words) + 12
    if len(shaded) < months:
        pdf.set_xy(pdf.l_margin, y + 5)
        pdf.cell(WIDTH, 4, _("The shaded months are the period's; the others come before it."))
        y += 5
    pdf.set_draw_color(*LINE)
    pdf.set_y(y + 8)


def _nice_step(peak: int) -> int:
    """A round step (1, 2, 5, 10, 20, 50, ...) that four steps of reach `peak`."""
    step = 1
    while step * 4 < peak:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if step * 4 >= peak:
                break
    return step


def _month_tick(month: int, index: int) -> tuple[str, str]:
    """The month's number under its bar, and its year under the first bar and each January."""
    year = str(month // 100) if index == 0 or month % 100 == 1 else ""
    return str(month % 100), year


def _months(pdf: FPDF, report: Report) -> None:
    period = report.period
    _heading(pdf, _("Per month"), room=40)
    header = [
        _("Month"),
        *(str(AREA_NAMES[area]) for area in AREAS),
        _("Check-ins"),
        _("Participants"),
        _("Coins issued"),
        _("Coins spent at partner shops"),
        _("Events held"),
    ]
    rows = []
    for month in report.figures.trend:
        marker = "" if period.first <= month.month <= period.last else " *"
        rows.append(
            [
                f"{month.month // 100}-{month.month % 100:02d}{marker}",
                *(number(month.checkins[area]) for area in AREAS),
                number(month.checkins.total),
                number(month.participants.total),
                number(month.coins_issued),
                number(month.coins_spent),
                number(month.events_held),
            ]
        )
    _table(pdf, header, rows, (20, 15, 15, 15, 15, 17, 19, 20, 25, 19), size=8)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*MUTED)
    notes = [_("The columns by area count check-ins.")]
    if any(not period.first <= month.month <= period.last for month in report.figures.trend):
        notes.append(_("* Before the period: shown so its months are seen against the year."))
    for note in notes:
        pdf.multi_cell(WIDTH, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _shops(pdf: FPDF, report: Report) -> None:
    _heading(pdf, _("Perks used per partner shop"))
    shops = report.figures.shops
    if not shops:
        _nothing(pdf)
        return
    rows = [
        [
            shop.name_ja,
            *(number(shop.perks_used[area]) for area in AREAS),
            number(shop.perks_used.total),
            number(shop.coins_spent.total),
        ]
        for shop in shops
    ]
    header = [*_area_header(_("Shop")), _("Coins spent at partner shops")]
    _table(pdf, header, rows, (52, 18, 18, 18, 18, 22, 34))


def _places(pdf: FPDF, report: Report) -> None:
    _heading(pdf, _("Events by place"))
    if not report.places:
        _nothing(pdf)
        return
    rows = [
        [place.venue, number(place.events_held), number(place.checkins)] for place in report.places
    ]
    _table(pdf, [_("Place"), _("Events held"), _("Check-ins")], rows, (110, 35, 35))


def _projects(pdf: FPDF, report: Report) -> None:
    _heading(pdf, _("Projects"))
    if not report.projects:
        _nothing(pdf)
        return
    rows = [
        [line.title, str(PROJECT_STATUS[line.status]), number(line.members)]
        for line in report.projects
    ]
    _table(pdf, [_("Project"), _("Status"), _("Members")], rows, (110, 35, 35))
    hidden = report.figures.projects_active - len(report.projects)
    if hidden > 0:
        pdf.set_font(FONT, size=8)
        pdf.multi_cell(
            WIDTH, 4.5, _("And %(n)s more.", n=number(hidden)), new_x="LMARGIN", new_y="NEXT"
        )


def _nothing(pdf: FPDF) -> None:
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(WIDTH, 6, _("None in this period."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _percent(fraction) -> str:
    return "—" if fraction is None else f"{float(fraction) * 100:.1f}%"
