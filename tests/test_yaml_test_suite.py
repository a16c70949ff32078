"""The official YAML test suite, every input through the loader.

No exception escapes; every invalid input gets a diagnostic, and a YAML-level one (not just
"this is not a strategy file") except for the few listed below; every position reported lies
inside the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stratlint.load.artifact import LoadedArtifact, load_bytes

from conftest import needs_shared

YAML_LEVEL = frozenset(
    {
        "invalid-yaml",
        "invalid-encoding",
        "multiple-documents",
        "nesting-too-deep",
        "alias-bomb",
        "unsupported-tag",
        "unsupported-yaml-version",
        "duplicate-key",
        "merge-key",
        "non-scalar-key",
    }
)
"""Findings about the YAML itself, as opposed to its content as a strategy file."""

KNOWN_LENIENT: set[str] = set()
# Invalid inputs that libyaml reads and the loader's own checks do not catch go here, each
# with a comment saying why. There are none: comments glued to text, under-indented quoted
# text and bracketed lists, a lone '-' in a flow list, and over-indented leading empty lines
# of a block text are all caught by checks after libyaml has read the file.
"""Invalid inputs that get no YAML-level diagnostic. This list must not grow."""


def _suite() -> Path:
    return needs_shared("corpora", "yaml-test-suite")


def _cases(suite: Path) -> list[Path]:
    return sorted(path.parent for path in suite.rglob("in.yaml"))


def _case_id(suite: Path, case: Path) -> str:
    return case.relative_to(suite).as_posix()


@pytest.fixture(scope="module")
def loaded() -> dict[str, tuple[Path, bytes, LoadedArtifact]]:
    suite = _suite()
    results = {}
    for case in _cases(suite):
        data = (case / "in.yaml").read_bytes()
        results[_case_id(suite, case)] = (case, data, load_bytes(data, "in.yaml"))
    return results


def test_the_suite_is_complete(loaded: dict[str, tuple[Path, bytes, LoadedArtifact]]) -> None:
    invalid = [case for case, _, _ in loaded.values() if (case / "error").exists()]
    assert len(loaded) == 402
    assert len(invalid) == 94


def test_every_invalid_case_gets_a_yaml_level_diagnostic(loaded: dict[str, tuple[Path, bytes, LoadedArtifact]]) -> None:
    lenient = set()
    for case_id, (case, _, artifact) in loaded.items():
        if not (case / "error").exists():
            continue
        assert artifact.problems, f"{case_id} ({(case / '===').read_text().strip()}): no diagnostic"
        if not {problem.kind for problem in artifact.problems} & YAML_LEVEL:
            lenient.add(case_id)
    new = sorted(lenient - KNOWN_LENIENT)
    assert not new, "invalid YAML read without a YAML-level diagnostic: " + ", ".join(
        f"{case_id} ({(loaded[case_id][0] / '===').read_text().strip()})" for case_id in new
    )
    fixed = sorted(KNOWN_LENIENT - lenient)
    assert not fixed, f"now caught, remove from KNOWN_LENIENT: {fixed}"


def test_every_position_lies_inside_the_file(loaded: dict[str, tuple[Path, bytes, LoadedArtifact]]) -> None:
    outside = []
    for case_id, (_, data, artifact) in loaded.items():
        lines = data.decode("utf-8", "replace").split("\n")
        for problem in artifact.problems:
            line_text = lines[problem.line - 1] if 1 <= problem.line <= len(lines) else ""
            inside = 1 <= problem.line <= len(lines) + 1 and 1 <= problem.column <= len(line_text) + 1
            if not inside:
                outside.append(f"{case_id}: {problem.kind} at {problem.line}:{problem.column}")
    assert not outside


def test_our_own_syntax_checks_never_reject_valid_yaml(loaded: dict[str, tuple[Path, bytes, LoadedArtifact]]) -> None:
    # The loader adds checks for syntax libyaml lets through. On valid inputs, every syntax
    # error must be libyaml's own (it rejects some valid YAML), never one of ours.
    ours = []
    for case_id, (case, data, artifact) in loaded.items():
        if (case / "error").exists() or not any(p.kind == "invalid-yaml" for p in artifact.problems):
            continue
        try:
            list(yaml.compose_all(data, Loader=yaml.CLoader if hasattr(yaml, "CLoader") else yaml.SafeLoader))
        except (yaml.YAMLError, RecursionError):
            continue
        ours.append(case_id)
    assert not ours
