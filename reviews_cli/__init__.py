"""reviews: a terminal reader for machine-learning paper-review digests.

Packages follow the data flow: ``parsing`` (dumps → posts → reviews; the one recognizer),
``library`` (the user's library: sources, the SQLite index and its sync, ingest, stats),
``search`` (query language, ranking, snippets, references, related reviews), ``render`` (rich
and machine output) and ``commands`` (the click commands; ``cli`` holds the group). Small
shared modules sit beside them: ``models``, ``errors``, ``ids``/``extract`` (field rules),
``textnorm``, ``safe_text``, ``atomic``, ``config``, ``dirs``. Imports only run down that list
(tests/test_layout.py checks it). Kept free of imports so ``reviews`` starts fast.
"""

__version__ = "0.1.0"
