"""Contacts: who may open conversations and how often (abuse cool-down), and contact blocks.

Owns where each conversation came from (IP address, the shop's customer id), the limit on new
conversations per customer and per IP (far stricter once one of theirs was flagged for
abuse), and the blocks supervisors set and lift, recorded with who, when and why.

May import: core, config, db, conversations.models, identity, http. The customer API calls
`admit_new_conversation` and `require_not_blocked` (one line each).
"""
