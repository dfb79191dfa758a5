"""`tandem demo customers --json` prints the situations with valid signatures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.identity.signing import verify_external_id
from tandem.shop.cli import app


def test_customers_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TANDEM_WIDGET_SECRET", "s3cret")
    monkeypatch.delenv("TANDEM_DATABASE_URL", raising=False)
    runner = CliRunner()
    first = runner.invoke(app, ["customers", "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    for key in ("unshipped", "in_transit", "delivered_recent", "delivered_over_7_days",
                "high_value", "several_orders"):  # fmt: skip
        entry = data[key]
        assert set(entry) == {"external_id", "signature", "order_id"}
        assert verify_external_id("s3cret", entry["external_id"], entry["signature"])
        assert entry["order_id"].startswith("TD") and len(entry["order_id"]) == 16
    # Idempotent: a second run prints the same customers and orders.
    again = runner.invoke(app, ["customers", "--json"])
    assert json.loads(again.output) == data
    table = runner.invoke(app, ["customers"])
    assert table.exit_code == 0 and "c0001" in table.output
