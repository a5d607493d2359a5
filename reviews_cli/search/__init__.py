"""Finding reviews in the library's index: the query language (``query``), ranked search
(``search``, with ``records`` for loading records by id, tag or date), snippets, references
(``resolve``) and related reviews. Reads the index the ``library`` package builds; never writes
it. Empty of imports, so importing one module here does not import the others.
"""
