"""The typed strategy model. ``schemas/`` is generated from these classes."""

from __future__ import annotations

from stratlint.model.common import ArtifactBase, Function, NodeType
from stratlint.model.governance import Governance
from stratlint.model.messaging import Messaging
from stratlint.model.narrative import Narrative
from stratlint.model.playbook import Playbook
from stratlint.model.priorities import Priorities
from stratlint.model.release import Release
from stratlint.model.roadmap import Roadmap
from stratlint.model.value import ValueDefinition

KINDS: dict[str, type[ArtifactBase]] = {
    model.kind_name: model
    for model in (ValueDefinition, Narrative, Priorities, Roadmap, Messaging, Playbook, Governance, Release)
}
"""Every artifact kind, by the name written in ``kind:``."""

__all__ = ["KINDS", "ArtifactBase", "Function", "NodeType"]
