"""Shared vocabulary: ids, clock, errors, language codes. Imports nothing else of ours."""
