"""Conversations and messages: lifecycle, storage, the event log.

A message is acknowledged only once it is stored. Sits below routing, desk and turns (which
call it); may import tandem.core, tandem.config, tandem.db, tandem.identity (customer
signatures) and tandem.realtime (topic names).
"""
