"""Version control: the one git runner, the strategy at a revision, comparisons and impact."""
