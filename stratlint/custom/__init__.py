"""The organisation's own rules: a declarative policy, compiled into rules.

An organisation writes rules of its own without code, in ``[[policy.rules]]`` of its
configuration or in a YAML policy file the configuration names: each rule selects entries
(``given``) and applies built-in checks to them (``then``). ``model`` is the policy file's
pydantic model; ``select`` compiles selections and conditions; ``checks`` the built-in
checks; ``rules`` turns a compiled rule into the Rule class the engine runs beside the
registry's (``stratlint.rules.RuleSet``); ``source`` reads the policy with errors at
file:line; ``examples`` runs each rule's good and bad examples (``stratlint policy test``).

Not to be confused with ``stratlint.analysis.policy``, which decides which findings count
(select, ignore, severity): that is the configuration's choice among rules; this is where
the organisation's rules come from.
"""

from __future__ import annotations

from stratlint.custom.source import Policy, PolicyError, read_policy

__all__ = ["Policy", "PolicyError", "read_policy"]
