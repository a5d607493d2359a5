"""reviews: a terminal reader for machine-learning paper-review digests.

The core (``models``, ``parsing``, ``extract``, ``textnorm``, ``library``, ``index``, ``search``)
knows nothing of click or rich; ``cli`` and ``render`` are the thin layer on top. Kept free of
imports so ``reviews`` starts fast.
"""

__version__ = "0.1.0"
