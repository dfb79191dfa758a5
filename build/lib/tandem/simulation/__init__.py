"""Simulation and staffing: try a policy and a staffing plan before the peak.

Owns the traffic generator (non-homogeneous Poisson arrivals from a rate-curve file), the
simulated customers (real message text from a `MessageSource`) and agents (shifts, skills,
caps, handling times, breaks, hostile exposure), the discrete-event simulator that runs them
against the REAL engine (`tandem.engine.decide` / `after_action`, with the shop's policy file,
the shipped understanding models and the knowledge index) and the REAL routing rules
(`tandem.routing.policy`), the four compared policies, staffing plans (Erlang C / Erlang A,
`tandem.routing.erlang`), the replay of recorded conversations through a changed policy or
knowledge base, the reports (rich table, SVG charts, one self-contained HTML file), the
`tandem simulate` command and the supervisors' what-if API.

Simulated time comes from an injected `tandem.core.clock.FixedClock`, never the wall clock;
every random draw comes from a seeded `random.Random`, so the same seed gives the same result.

May import: core, config, engine, understanding, knowledge (index, formats, service for the
replay), shop (pure modules and policy loading), routing (policy, erlang, wellbeing),
conversations.models (replay), db (replay), http (routes only).
"""
