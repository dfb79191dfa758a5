"""The optional LLM (docs/llm.md): off unless `TANDEM_LLM_BASE_URL` is set.

Owns the provider protocol and its OpenAI-compatible implementation (`provider.py`), the fact
guard between the model and the customer (`guard.py`, pure), the prompts (`prompts.py`, pure),
the record of every call (`models.py`, table `llm_calls`), the use cases (`service.py`: reword a
reply the engine chose, draft a reply for an agent, draft a hand-off summary) and the
supervisor's view of the calls (`routes.py`).

It never decides: the engine's decision and action are taken before it is asked, and any
failure, rejection or timeout gives back the engine's own template text.

May import: core, config, db, http (routes only), conversations.models (routes only).
"""
