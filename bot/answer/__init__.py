"""Answering, the fifth stage: a question against the index and the models, quoted or refused.

The question as weighted terms (``query``), the lexical ranking, the candidates meaning adds
(``meaning``), the verdict on them (``candidates``, the one place an answer is decided) and the
quotes composed from it (``compose``).
"""
