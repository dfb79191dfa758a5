"""The edge kit: generic FastAPI dependencies (tokens), error mapping, log redaction, rate
limits. Imports only tandem.core: it knows no domain (the container and who is calling are the
composition root's, `tandem.services` and `tandem.deps`)."""
