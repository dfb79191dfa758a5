"""Every setting a shop can give is in the operations guide's reference table."""

from __future__ import annotations

import re
from pathlib import Path

from tandem.config import Settings

GUIDE = Path(__file__).parents[1] / "docs" / "operations.md"


def test_every_setting_has_a_row_in_the_reference() -> None:
    text = GUIDE.read_text("utf-8")
    table = text.split("## Every setting", 1)[1]
    documented = set(re.findall(r"^\| `(TANDEM_[A-Z0-9_]+)` \|", table, flags=re.M))
    expected = {f"TANDEM_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "add these to docs/operations.md#every-setting"
    assert documented - expected == set(), "these rows name no setting: remove them"
