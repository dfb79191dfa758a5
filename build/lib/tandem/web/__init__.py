"""Static web pages: the customer chat (and its embeddable widget script) and the agent desk.
Plain HTML + JS, no build step; text always inserted with textContent (never as HTML)."""
