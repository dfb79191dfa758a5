"""What the knowledge import tells the user about a row or a file, in Chinese and English.

A problem is a code and its values (`Problem`), rendered in the reader's language only when
shown: the same report reads in Chinese on the page (the default) and in English on request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("zh", "en")

# code -> (zh, en); `{name}` is filled from the problem's values.
_TEXTS: dict[str, tuple[str, str]] = {
    "question_empty": ("问题为空", "the question is empty"),
    "answer_empty": ("答案为空", "the answer is empty"),
    "question_too_long": (
        "问题超过 {limit} 个字",
        "the question is longer than {limit} characters",
    ),
    "answer_too_long": ("答案超过 {limit} 个字", "the answer is longer than {limit} characters"),
    "alternative_too_long": (
        "有一个相似问法超过 {limit} 个字",
        "an alternative phrasing is longer than {limit} characters",
    ),
    "bad_language": (
        "语言只能是 zh 或 en，而不是 {value!r}",
        "language must be zh or en, not {value!r}",
    ),
    "unknown_intent": (
        "意图 {value!r} 不存在，已不带意图导入；可选：{choices}",
        "unknown intent {value!r}; imported without an intent (use one of {choices})",
    ),
    "bad_json": (
        "不是有效的 JSON（第 {column} 列：{why}）",
        "not valid JSON ({why} at column {column})",
    ),
    "not_object": (
        "每行必须是一个含 question 和 answer 的 JSON 对象",
        "each line must be a JSON object with question and answer",
    ),
    "id_twice": (
        "编号 {id} 在文件中出现了两次，请只保留一行",
        "id {id} appears twice in the file; keep one row",
    ),
    "same_as_row": (
        "与第 {other} 行是同一个问题（{question}），已跳过",
        "the same question as row {other} ({question}); skipped",
    ),
    "duplicate_of_entry": (
        "AI 已用条目 {id}（{question}）回答这个问题，视为重复已跳过；要修改该条目，请在 id 列填写 {id}",
        "the AI already answers this with entry {id} ({question}): skipped as a duplicate. "
        "To change that entry, put {id} in the id column",
    ),
    "approve_duplicate": (
        "已有条目 {id}（{question}）在回答这个问题：请合并到该条目；确实不同的话，勾选“仍然新建”再批准",
        "entry {id} ({question}) already answers this question: merge into it, or, if they "
        "really differ, approve with allow_duplicate",
    ),
    "missing_columns": (
        "表头缺少列：{columns}；第一行必须是列名，例如 question,alternatives,answer,intent,tags",
        "the header row lacks the column(s) {columns}; the first row must name the columns, "
        "e.g. question,alternatives,answer,intent,tags",
    ),
    "empty_file": (
        "文件是空的；第一行必须是列名",
        "the file is empty; the first row must name the columns",
    ),
    "not_xlsx": (
        "这不是可读取的 XLSX 工作簿（{kind}）",
        "this is not a readable XLSX workbook ({kind})",
    ),
    "bad_encoding": (
        "文件既不是 UTF-8 也不是 GB18030 文本；请另存为 UTF-8",
        "the file is neither UTF-8 nor GB18030 text; save it as UTF-8",
    ),
    "unknown_format": (
        "无法识别 {name} 的格式：请使用 .csv、.xlsx、.jsonl 或 .md 文件",
        "cannot tell the format of {name}: use a .csv, .xlsx, .jsonl or .md file",
    ),
}


def render(code: str, values: dict[str, Any], language: str = "zh") -> str:
    zh, en = _TEXTS[code]
    return (en if language == "en" else zh).format(**values)


class Problem(ValueError):
    """A row or a file the import cannot take as it is; `str()` is the English text."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(render(code, values, "en"))
        self.code = code
        self.values = values

    def text(self, language: str = "zh") -> str:
        return render(self.code, self.values, language)


@dataclass(frozen=True)
class RowError:
    """A row that was not imported (or a warning about one that was), by the row number the
    user sees in their editor."""

    row: int
    reason: str  # English, for logs and the CLI's default
    code: str = ""
    values: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, row: int, problem: Problem) -> RowError:
        return cls(row, str(problem), problem.code, problem.values)

    def text(self, language: str = "zh") -> str:
        return render(self.code, self.values, language) if self.code else self.reason


def pick_language(requested: str | None, accept_language: str | None = None) -> str:
    """zh unless English is asked for (`lang=en`, or an Accept-Language preferring English)."""
    if requested in LANGUAGES:
        return requested
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"
