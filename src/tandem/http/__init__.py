"""The HTTP edge: dependencies (sessions, auth), error mapping, rate limits. Owns transactions:
a request's unit of work commits here, then the staged realtime events are published."""
