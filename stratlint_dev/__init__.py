"""Development tools for stratlint, kept out of the installed package: the generators of
schemas/, the README rules table and the output samples (``python -m stratlint_dev.generate``)."""
