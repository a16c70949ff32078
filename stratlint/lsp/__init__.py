"""The language server (``stratlint lsp``, the ``lsp`` extra).

``live`` holds the strategy in memory, unsaved buffers laid over the files on disk, and
``patch`` keeps its graph up to date one file at a time; ``navigation``, ``completion``,
``actions``, ``rename`` and ``findings`` answer the protocol's requests as plain functions of
it, in the protocol's types; ``server`` is the pygls wiring, and the only module that imports
pygls. See docs/architecture.md.
"""
