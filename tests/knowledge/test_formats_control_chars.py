"""One entry with a control character must not make the XLSX export fail for everyone."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tandem.knowledge.formats import EntryDraft, to_xlsx


def test_a_control_character_does_not_break_the_xlsx_export() -> None:
    entries = [
        EntryDraft(question="怎么退货\x0b", answer="七天无理由\x01退货", language="zh"),
        EntryDraft(question="发货时间", answer="48 小时内发货", language="zh"),
    ]
    book = load_workbook(io.BytesIO(to_xlsx(entries)))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["怎么退货", "发货时间"]
    assert rows[1][3] == "七天无理由退货"
