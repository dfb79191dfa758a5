"""Evaluation commands (`tandem eval ...`): score the code users run against public data.

Owns metric implementations (character-level ROUGE), readers for evaluation data formats
(CSDS) and the Typer app the top-level CLI mounts as `tandem eval`. May import tandem.core,
tandem.engine and tandem.understanding; never the web, database or network layers, so an
evaluation run needs nothing but the data file.
"""
