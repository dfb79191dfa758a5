"""Pure desk rules: where a flagged chat goes, and since when a customer has waited."""

from __future__ import annotations

from datetime import UTC, datetime

from tandem.desk.board import waiting_since
from tandem.routing import wellbeing


def test_flagged_move_rule() -> None:
    assert wellbeing.flagged_move("agent", "agent") == wellbeing.MOVE_TO_SUPERVISORS
    assert wellbeing.flagged_move("agent", "supervisor") == wellbeing.MOVE_KEEP
    assert wellbeing.flagged_move("agent", "admin") == wellbeing.MOVE_KEEP
    assert wellbeing.flagged_move("queued", "agent") == wellbeing.MOVE_KEEP
    assert wellbeing.flagged_move("agent", None) == wellbeing.MOVE_KEEP


def test_waiting_since() -> None:
    t1, t2, t3 = (datetime(2026, 12, 2, 6, m, tzinfo=UTC) for m in (0, 1, 2))
    # Queued: since joining the queue.
    assert waiting_since("queued", t3, [(1, t1)], None) == t3
    # Two customer messages after the agent's last reply: since the first of them.
    assert waiting_since("agent", None, [(1, t1), (4, t2), (5, t3)], 3) == t2
    # The agent answered last: nobody is waiting.
    assert waiting_since("agent", None, [(1, t1), (2, t2)], 3) is None
    # Same timestamps (one clock tick) still ordered by sequence.
    assert waiting_since("agent", None, [(1, t1), (3, t1)], 2) == t1
