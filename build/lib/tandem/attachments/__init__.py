"""Attachments: the photos and short videos a customer sends (evidence for a quality claim).

Owns the `attachments` table, reading a file's real type from its bytes (never the client's
name or content type), size limits, re-encoding images without EXIF or other metadata
(orientation applied first), the storage protocol (a local directory by default, an
S3-compatible bucket as an option) and the HTTP routes that upload and serve them.

May import: core, config, db, conversations (models, service, schemas, turns), shop.models,
identity, http. Nothing below it imports this package except the message path's two hooks
(evidence for a shop action, the hand-off packet's list).
"""
