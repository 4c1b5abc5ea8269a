"""A job description (岗位说明书) as a Word document (.docx), written with python-docx.

The same :class:`reports.job_description.Page` the Markdown and HTML pages write: the title,
a heading per section, a heading per RACI group, tables for the facts, responsibilities,
requirements, certificates, KPIs and incumbents (the header row repeated on each printed
page), A4 paper. Chinese text: the Normal and heading styles name an East Asian font
(``w:eastAsia`` on ``w:rFonts``: 宋体 SimSun for the text, 黑体 SimHei for headings), without
which Word falls back to a theme font that may show no Chinese at all.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle
from docx.table import Table as DocxTable
from docx.table import _Cell

from reports.job_description import Block, Facts, Note, Page, Subheading, Table

#: the width between the margins of an A4 page (210 mm less 2 x 18 mm)
TEXT_WIDTH_MM = 174
#: East Asian fonts of the text and of the headings
TEXT_FONT, HEADING_FONT = "SimSun", "SimHei"
HEADING_STYLES = ("Title", "Heading 1", "Heading 2")
#: characters XML 1.0 does not allow (control characters, lone surrogates): dropped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def to_docx(page: Page) -> bytes:
    """The page as the bytes of a .docx file."""
    doc = Document()
    _set_up(doc, page)
    doc.add_heading(_text(page.title), 0)
    doc.add_paragraph(_text(page.subtitle))
    for section in page.sections:
        doc.add_heading(_text(section.title), 1)
        for block in section.blocks:
            _write(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_up(doc: DocumentObject, page: Page) -> None:
    """A4 paper, the fonts (East Asian ones too) and the document's properties."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm((210 - TEXT_WIDTH_MM) / 2)
        section.top_margin = section.bottom_margin = Mm(18)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号
    east_asian_font(normal, TEXT_FONT, page.lang)
    for name in HEADING_STYLES:
        east_asian_font(doc.styles[name], HEADING_FONT, page.lang)
    doc.core_properties.title = _text(page.title)
    doc.core_properties.language = page.lang


def east_asian_font(style: BaseStyle, font: str, lang: str) -> None:
    """Name ``font`` for the East Asian characters of ``style`` (``w:eastAsia``), replacing a
    theme's East Asian font, which would otherwise take precedence, and say which East Asian
    language the text is in (``w:lang``)."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:eastAsia"), "zh-CN" if lang.startswith("zh") else "en-US")


def _write(doc: DocumentObject, block: Block) -> None:
    if isinstance(block, Facts):
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in block.rows:
            cells = table.add_row().cells
            _cell(cells[0], label, bold=True)
            _cell(cells[1], value)
    elif isinstance(block, Table):
        _table(doc, block)
    elif isinstance(block, Subheading):
        doc.add_heading(_text(block.text), 2)
    elif isinstance(block, Note):
        doc.add_paragraph(_text(block.text))


def _table(doc: DocumentObject, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        _cell(cell, text, bold=True)
    _repeat_header(table)
    for i, row in enumerate(block.rows):
        total = block.total and i == len(block.rows) - 1
        for cell, text in zip(table.add_row().cells, row, strict=True):
            _cell(cell, text, bold=total)
    if block.widths:
        table.autofit = False
        for row_of_cells in table.rows:
            for cell, share in zip(row_of_cells.cells, block.widths, strict=True):
                cell.width = Mm(TEXT_WIDTH_MM * share / 100)
    doc.add_paragraph()  # space after the table


def _repeat_header(table: DocxTable) -> None:
    """The first row is repeated at the top of each page the table runs onto
    (``w:tblHeader``)."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cell(cell: _Cell, text: str, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(_text(text))
    run.bold = bold or None


def _text(text: str) -> str:
    """Text Word can store: without the characters XML does not allow."""
    return _NOT_XML.sub("", text)
