"""The shop: orders, logistics, refunds and returns under the shop's written policy.

Owns the domain types (`types`), the written policy and its pure rules (`policy_file`,
`policy`), the adapter protocol with its two implementations (`adapter`, `demo_adapter`,
`http_adapter`), the demo shop's tables and seed data (`models`, `seed`), the recorded use
cases (`service`) and the HTTP routes (`routes`).

May import tandem.core, tandem.config, tandem.db and tandem.identity / tandem.http (routes
only). `types`, `policy_file` and `policy` import nothing of ours beyond the standard library
and pydantic, so the pure engine can use them.
"""
