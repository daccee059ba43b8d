"""The book's command-line tools, each run with ``python -m pcn_evidence.tools.<name>`` (the Makefile's targets).

They use the library (:mod:`pcn_evidence`) and one another; the library and the chapters never import them,
and the chapters' cache keys leave them out (:mod:`pcn_evidence.tools.digests`). Each tool works on the book
its code is part of: the checkout, or a copy whose ``src`` is first on ``PYTHONPATH``, as every copy the tools
make is run (:func:`pcn_evidence.tools.paths.working_copy`).
"""
