"""Analytics: what the AI and the team achieve, from the stored events and decisions.

Owns the derived tables (`analytics_*`: episodes, hourly rollups, agent activity, cursors),
their incremental refresh, the dashboard API, CSV/XLSX exports and `tandem report`.
`derive.py` is pure (the definitions of the measures, docs/analytics.md). Reads, never
writes, the tables of conversations, routing, desk, identity and knowledge; may import
tandem.conversations.models, tandem.routing.models, tandem.desk.models,
tandem.identity (models, service), tandem.knowledge.models, tandem.understanding.taxonomy,
tandem.db, tandem.core, and (routes, cli only) tandem.http and tandem.app.
"""
