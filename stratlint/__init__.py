"""stratlint: keep product, marketing and sales traceable to one strategy."""

from __future__ import annotations

__version__ = "0.1.0"
