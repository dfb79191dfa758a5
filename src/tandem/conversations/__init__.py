"""Conversations and messages: lifecycle, storage, the customer API, the event log.

A message is acknowledged only once it is stored. May import tandem.core, tandem.config, tandem.db,
tandem.identity, tandem.engine, tandem.understanding, tandem.knowledge, tandem.shop,
tandem.routing and tandem.realtime.
"""
