"""Knowledge: the shop's FAQ entries, retrieval that answers only when sure, the learning loop.

Owns: entries and their history, learning candidates and misses (models.py, service.py,
routes.py), the retrieval index and match judgement (text, lexicon, features, matcher, index:
pure, no database or web imports), import/export formats (formats.py) and evaluation.
May import: tandem.core, tandem.db, tandem.http (routes only), tandem.identity (routes only).
The engine and desk call `KnowledgeIndex.search`; the lead calls `service.learn_from_resolution`
and `service.record_miss`.
"""
