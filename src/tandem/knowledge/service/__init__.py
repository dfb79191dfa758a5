"""Use cases of the knowledge base, one module per use case. Services flush, never commit (the
edge commits).

- index_sync: the in-memory retrieval index follows committed data (after commit, not before);
- entries: create, edit, retire, list, history;
- transfer: import and export, the demo FAQ; import_plan: what an import will do (preview);
- gaps: questions the AI could not answer, and the gaps report;
- learning: the learning loop (candidates from resolved conversations, reviewed by a person).

Callers keep using `tandem.knowledge.service.<name>`: everything public is re-exported here.
"""

from tandem.knowledge.service.entries import (
    create_entry,
    entry_history,
    get_entry,
    list_entries,
    require_entry,
    set_status,
    update_entry,
)
from tandem.knowledge.service.gaps import (
    DUPLICATE_PROBABILITY,
    MIN_QUESTION_CHARS,
    Gap,
    add_phrasings,
    gaps_report,
    record_miss,
)
from tandem.knowledge.service.import_plan import (
    ImportPlan,
    PlannedRow,
    Progress,
    duplicate_groups,
)
from tandem.knowledge.service.index_sync import catch_up, follow_changes, indexed, load_index
from tandem.knowledge.service.learning import (
    approve_candidate,
    learn_from_resolution,
    list_candidates,
    merge_candidate,
    reject_candidate,
    require_candidate,
)
from tandem.knowledge.service.transfer import (
    DEMO_FAQ,
    ImportReport,
    export_entries,
    import_entries,
    read_file,
    seed_demo_faq,
)

__all__ = [
    "DEMO_FAQ",
    "DUPLICATE_PROBABILITY",
    "MIN_QUESTION_CHARS",
    "Gap",
    "ImportPlan",
    "ImportReport",
    "PlannedRow",
    "Progress",
    "add_phrasings",
    "approve_candidate",
    "catch_up",
    "follow_changes",
    "create_entry",
    "duplicate_groups",
    "entry_history",
    "export_entries",
    "gaps_report",
    "get_entry",
    "import_entries",
    "indexed",
    "learn_from_resolution",
    "list_candidates",
    "list_entries",
    "load_index",
    "merge_candidate",
    "read_file",
    "record_miss",
    "reject_candidate",
    "require_candidate",
    "require_entry",
    "seed_demo_faq",
    "set_status",
    "update_entry",
]
