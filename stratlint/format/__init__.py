"""``stratlint format``: strategy files written one way, as ruff format and prettier write
code, without changing what they say.

``formatter`` does the work; ``yamlfmt`` is the one module that configures ruamel.yaml,
``order`` reads the order of keys off the model, ``scalars`` decides how each text is
written and ``comments`` keeps every comment beside the key it belongs to.
"""

from stratlint.format.formatter import NotFormatted, format_text, parse, same_data
from stratlint.format.order import model_of_file

__all__ = ["NotFormatted", "format_text", "model_of_file", "parse", "same_data"]
