"""Edits to the strategy's files: rename an id (``stratlint mv``, the language server's
rename), split a node (``stratlint split``), and apply the fixes rules attach to their
findings (``stratlint check --fix``), all on one splice engine (``splice``) that changes
only the characters it must and checks every edited file reads as intended before anything
is written (``write``). The public API is in ``rename``; see its docstring."""
