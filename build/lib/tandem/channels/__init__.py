"""Channels beyond our own widget (docs/channels.md).

Owns the webhook channel (inbound messages signed per the Standard Webhooks scheme, taken
through the same customer turn as the HTTP API; outbound events delivered with retries,
backoff and idempotency keys), email for tickets, callbacks and transcripts (SMTP), the
delivery log supervisors read and replay, and the dispatcher that follows the event log.

Delivery follows the committed event log by a per-conversation cursor, so it survives
restarts: nothing is lost, and each delivery keeps one `webhook-id` across retries.

May import: core, config, db, realtime, conversations, http, identity.
"""
