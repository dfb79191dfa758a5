"""Shared vocabulary: ids, the clock, errors, typed realtime events, the language detector.
Imports nothing else of ours (only the standard library and pydantic)."""
