"""Import/export formats: round trips, and bad rows reported by number while good rows go in."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from tandem.knowledge.formats import (
    EntryDraft,
    export,
    format_of,
    parse,
    parse_csv,
    parse_jsonl,
    parse_markdown,
)

ENTRIES = [
    EntryDraft(
        question="付款后多久发货？",
        answer="付款后 48 小时内发货，承运快递 {carrier}。\n\n- 生鲜顺丰冷链",
        alternatives=("什么时候发货", "几天能发出"),
        intent="shipping_info",
        tags=("发货", "快递"),
        language="zh",
        id="faq-1",
    ),
    EntryDraft(question="How do I return an item?", answer="Open the order page.", language="en"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl", "md"])
def test_export_then_import_gives_the_same_entries(fmt: str) -> None:
    result = parse(export(ENTRIES, fmt), fmt)
    assert result.errors == []
    assert [d for _, d in result.drafts] == ENTRIES


def test_csv_reports_bad_rows_by_spreadsheet_row_and_keeps_good_ones() -> None:
    text = (
        "问题,相似问法,答案,意图\n"
        "怎么开发票？,能开票吗|要发票,订单页申请开票,invoice\n"
        ",没有问题,有答案,\n"
        "退货地址是什么？,,,return\n"
        "保修多久？,,一年,warranty_typo\n"
        "支持七天无理由吗？,,支持,return\n"
    )
    result = parse_csv(text)
    # An unknown intent does not reject the row: it imports without one, with a warning.
    assert [n for n, _ in result.drafts] == [2, 5, 6]
    assert result.drafts[0][1].alternatives == ("能开票吗", "要发票")
    assert result.drafts[1][1].intent is None
    reasons = {e.row: e.reason for e in result.errors}
    assert set(reasons) == {3, 4}
    assert "question is empty" in reasons[3]
    assert "answer is empty" in reasons[4]
    assert [w.row for w in result.warnings] == [5]
    assert "unknown intent 'warranty_typo'" in result.warnings[0].text("en")
    assert "意图 'warranty_typo' 不存在" in result.warnings[0].text("zh")


def test_csv_without_required_columns_fails_as_a_whole_with_advice() -> None:
    with pytest.raises(ValueError, match="lacks the column"):
        parse_csv("title,body\nx,y\n")


def test_jsonl_bad_json_line_is_reported_with_its_line_number() -> None:
    lines = [
        json.dumps({"question": "发票怎么开", "answer": "订单页申请"}, ensure_ascii=False),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"question": "q", "answer": "a", "language": "fr"}),
    ]
    result = parse_jsonl("\n".join(lines))
    assert [n for n, _ in result.drafts] == [1]
    assert [e.row for e in result.errors] == [2, 3, 4]
    assert "language must be zh or en" in result.errors[2].reason


def test_markdown_metadata_and_multiline_answer() -> None:
    text = (
        "# 我们的 FAQ\n\n"
        "## 包邮吗？\n"
        "alternatives: 运费多少 | 满多少包邮\n"
        "intent: shipping_info\n\n"
        "满 99 元包邮。\n\n偏远地区满 199 元。\n"
        "## 空答案\n"
    )
    result = parse_markdown(text)
    ((row, draft),) = result.drafts
    assert row == 3
    assert draft.alternatives == ("运费多少", "满多少包邮")
    assert draft.answer == "满 99 元包邮。\n\n偏远地区满 199 元。"
    assert [e.row for e in result.errors] == [10]


def test_xlsx_with_chinese_headers_and_numbers_in_cells() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["问题", "答案", "标签"])
    sheet.append(["保修多久？", "1 年", "保修"])
    sheet.append(["数字问题", 12345, None])
    sheet.append([None, None, None])
    sheet.append(["", "没有问题的答案", ""])

    buf = io.BytesIO()
    book.save(buf)
    result = parse(buf.getvalue(), "xlsx")
    assert [(n, d.answer) for n, d in result.drafts] == [(2, "1 年"), (3, "12345")]
    assert [e.row for e in result.errors] == [5]


def test_not_an_xlsx_file_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="not a readable XLSX"):
        parse(b"hello", "xlsx")


def test_gb18030_csv_from_chinese_excel_is_read() -> None:
    data = "问题,答案\n怎么退货,订单页申请\n".encode("gb18030")
    result = parse(data, "csv")
    assert result.drafts[0][1].question == "怎么退货"


def test_format_is_told_by_extension() -> None:
    assert format_of("faq.XLSX") == "xlsx"
    assert format_of("faq.markdown") == "md"
    with pytest.raises(ValueError, match="use a .csv"):
        format_of("faq.docx")
