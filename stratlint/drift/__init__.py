"""Drift: the review lock, the wording others depend on, suspect references, and release
readiness. The strategy changes; these modules say what was written against what."""
