"""A bulletin as a PDF (WeasyPrint over an HTML page, with a CJK font) and as an XLSX (openpyxl: the table,
the 红榜/黑榜 and a bar chart of the ranking measure). Both are rendered from the stored figures alone,
so the English files are made on download from the same figures as the stored Chinese ones."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine.bulletins import wording

_TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class Document:
    """What a rendering needs besides the figures."""

    title: str
    period_words: str
    generated_at: datetime
    complete: bool
    note: str = ""


def _chart(figures: dict[str, Any], lang: str) -> list[tuple[str, float]]:
    measure = "on_time_rate"
    if measure not in figures["measures"] or figures["scope"] == "district":
        return []
    return [(wording.unit_name(row, lang), row[measure]) for row in figures["rows"] if row[measure] is not None]


def render_html(figures: dict[str, Any], doc: Document, lang: str, tz: ZoneInfo) -> str:
    lists = any(row.get("list") for row in figures["rows"]) or figures.get("has_lists", False)
    return _env.get_template("bulletin.html").render(
        lang=lang, title=doc.title, period_words=doc.period_words, complete=doc.complete, note=doc.note,
        generated=doc.generated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        measures=figures["measures"], rows=figures["rows"], total=figures["total"], scope=figures["scope"],
        ranked=figures.get("rank_by") is not None, min_closed=figures.get("min_closed") or 0,
        chart=_chart(figures, lang), has_lists=lists,
        red=wording.listed(figures, "red", lang), black=wording.listed(figures, "black", lang),
        t=lambda key: wording.word(key, lang), measure_name=lambda m: wording.measure_name(m, lang),
        value=wording.value_text, unit_name=lambda row: wording.unit_name(row, lang))


def render_pdf(figures: dict[str, Any], doc: Document, lang: str, tz: ZoneInfo) -> bytes:
    from weasyprint import HTML  # imported on use: it loads pango, which only rendering needs

    return HTML(string=render_html(figures, doc, lang, tz)).write_pdf()


def render_xlsx(figures: dict[str, Any], doc: Document, lang: str, tz: ZoneInfo) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = wording.word("figures", lang)
    measures: list[str] = figures["measures"]
    ranked = figures.get("rank_by") is not None
    sheet.append([doc.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{wording.word('period', lang)}: {doc.period_words}",
                  f"{wording.word('generated', lang)}: {doc.generated_at.astimezone(tz):%Y-%m-%d %H:%M}"])
    if not doc.complete:
        sheet.append([wording.word("provisional", lang)])
    sheet.append([])
    header = ([wording.word("rank", lang)] if ranked else []) + [wording.word("unit", lang)] + [
        wording.measure_name(m, lang) for m in measures]
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    fills = {"red": PatternFill("solid", fgColor="FDECEC"), "black": PatternFill("solid", fgColor="D9D9D9")}
    rows: list[dict[str, Any]] = figures["rows"]
    for row in rows:
        rank = row.get("rank") if row.get("rank") is not None else wording.word("not_ranked", lang)
        sheet.append(([rank] if ranked else []) + [wording.unit_name(row, lang)] + [row[m] for m in measures])
        if row.get("list") in fills:
            for cell in sheet[sheet.max_row]:
                cell.fill = fills[row["list"]]
    if figures["scope"] != "district":
        sheet.append(([None] if ranked else []) + [wording.word("total", lang)] + [figures["total"][m] for m in measures])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    first_measure_col = 3 if ranked else 2
    for index, measure in enumerate(measures):
        if measure in ("on_time_rate", "satisfaction"):
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, max_row=sheet.max_row,
                                           min_col=first_measure_col + index, max_col=first_measure_col + index):
                cell.number_format = "0.0%"
    sheet.column_dimensions["A" if not ranked else "B"].width = 34
    if "on_time_rate" in measures and figures["scope"] != "district" and rows:
        column = first_measure_col + measures.index("on_time_rate")
        chart = BarChart()
        chart.type = "bar"
        chart.title = wording.word("chart", lang)
        chart.y_axis.numFmt = "0%"
        chart.add_data(Reference(sheet, min_col=column, min_row=header_row, max_row=header_row + len(rows)),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=first_measure_col - 1, min_row=header_row + 1,
                                       max_row=header_row + len(rows)))
        chart.height, chart.width = 10, 18
        sheet.add_chart(chart, f"B{sheet.max_row + 3}")
    lists = book.create_sheet(wording.word("lists", lang))
    for which in ("red", "black"):
        lists.append([wording.word(which, lang), wording.word(f"{which}_sentence", lang)])
        lists[lists.max_row][0].font = Font(bold=True)
        entries = wording.listed(figures, which, lang)
        for name, why in entries:
            lists.append([name, why])
        if not entries:
            lists.append([wording.word("none_listed", lang)])
        lists.append([])
    lists.column_dimensions["A"].width = 34
    lists.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
