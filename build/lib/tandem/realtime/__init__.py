"""Fan-out of committed events to WebSocket clients (in-process; Redis when configured).

Events are already stored in the event log before they are published here, so a client that
misses some (slow, disconnected, another server instance) catches up from the log by sequence
number. May import tandem.core and tandem.config only.
"""
