"""reviews: a terminal reader for machine-learning paper-review digests.

The core knows nothing of click or rich: ``models`` (the records), ``parsing`` (containers and
the one recognizer), ``extract``/``ids`` (field rules), ``textnorm`` (normalization shared by index
and query), ``store``/``sources``/``ingest``/``index``/``library`` (the library and its FTS index),
``fields`` (the indexed-field table), ``query``/``search``/``snippets``/``resolve`` (finding
reviews), ``atomic`` and ``safe_text`` (writing files, showing untrusted text). ``cli`` and
``render`` are the thin layer on top. Kept free of imports so ``reviews`` starts fast.
"""

__version__ = "0.1.0"
