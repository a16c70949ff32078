"""Every exception a YAML parser can raise becomes a diagnostic; the loader never raises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.error import Mark

from stratlint.load import artifact as artifact_module
from stratlint.load import yaml as yaml_module
from stratlint.load.artifact import LoadedArtifact, load_bytes
from stratlint.rules.loading import LOAD_RULES

from conftest import check_json
from yaml_strategies import dumped_yaml, yaml_fragments

LOAD_KINDS = {rule.name for rule in LOAD_RULES}
VALID = b"stratlint: 1\nkind: roadmap\nid: roadmap-x\nitems: []\n"
MARK = Mark("<file>", 5, 1, 4, None, None)

EXCEPTIONS = [
    yaml.reader.ReaderError("<file>", 3, 0x07, "utf-8", "special characters are not allowed"),
    yaml.scanner.ScannerError("while scanning a simple key", MARK, "could not find expected ':'", MARK),
    yaml.parser.ParserError("while parsing a block mapping", MARK, "expected <block end>", MARK),
    yaml.composer.ComposerError("expected a single document", MARK, "but found another document", MARK),
    yaml.composer.ComposerError(None, None, "found undefined alias", None),
    yaml.constructor.ConstructorError(None, None, "could not determine a constructor", MARK),
    yaml.YAMLError("something else went wrong"),
    TypeError("unhashable type: 'list'"),
    AssertionError(),
    NotImplementedError("not supported"),
    ValueError("bad value"),
    KeyError("missing"),
    IndexError("list index out of range"),
    AttributeError("'NoneType' object has no attribute 'value'"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    OverflowError("int too large"),
    RecursionError("maximum recursion depth exceeded"),
    MemoryError(),
]


def _raiser(error: BaseException) -> Any:
    def raise_it(*args: Any, **kwargs: Any) -> Any:
        raise error

    return raise_it


def _assert_reported(loaded: LoadedArtifact, data: bytes) -> None:
    assert loaded.problems, "no diagnostic"
    lines = data.decode("utf-8", "replace").split("\n")
    for problem in loaded.problems:
        assert problem.kind in LOAD_KINDS
        assert problem.message
        assert 1 <= problem.line <= len(lines) + 1
        assert problem.column >= 1


@pytest.mark.parametrize("error", EXCEPTIONS, ids=lambda error: type(error).__name__)
@pytest.mark.parametrize("stage", ["compose", "depth-scan", "build"])
def test_parser_exception_becomes_a_diagnostic(
    error: BaseException, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = VALID
    # The stages are the full parser's; the quick path (which declines on any failure of its
    # own) is set aside so the failure is injected where the full parser meets it.
    monkeypatch.setattr(artifact_module, "parse_simple", lambda *args: None)
    if stage == "compose":
        monkeypatch.setattr(yaml_module.CoreComposer, "get_single_node", _raiser(error))
    elif stage == "depth-scan":
        monkeypatch.setattr(yaml_module, "_DEPTH_SCAN_THRESHOLD", 0)
        monkeypatch.setattr(yaml_module, "_prescan", _raiser(error))
    else:
        monkeypatch.setattr(yaml_module._Builder, "build", _raiser(error))
    loaded = load_bytes(data, "x.yaml")
    _assert_reported(loaded, data)
    assert loaded.model is None


def test_failure_of_the_second_look_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The token scan for glued comments is a second look at a file already read: if it fails,
    # the file is still read.
    monkeypatch.setattr(yaml_module.yaml, "scan", _raiser(TypeError("boom")))
    loaded = load_bytes(VALID + b'title: "a"#b\n', "x.yaml")
    assert loaded.problems == []
    assert loaded.model is not None


def test_a_parser_failure_in_one_file_does_not_stop_the_run(
    strategy_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = yaml_module.CoreComposer.get_single_node

    def fragile(self: Any) -> Any:
        if b"roadmap-fragile" in self.__dict__.get("_data", b""):
            raise AssertionError("the parser tripped")
        return real(self)

    real_init = yaml_module.CoreComposer.__init__

    def remember(self: Any, data: bytes) -> None:
        self._data = data
        real_init(self, data)

    monkeypatch.setattr(yaml_module.CoreComposer, "__init__", remember)
    monkeypatch.setattr(yaml_module.CoreComposer, "get_single_node", fragile)
    (strategy_copy / "fragile.yaml").write_bytes(VALID.replace(b"roadmap-x", b"roadmap-fragile"))
    exit_code, document = check_json(strategy_copy)
    assert [(d["code"], d["path"].rsplit("/", 1)[-1], d["line"]) for d in document["diagnostics"]] == [
        ("SL001", "fragile.yaml", 1)
    ]
    assert "AssertionError" in document["diagnostics"][0]["message"]
    assert exit_code == 1


PROPERTY = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.binary(max_size=400))
def test_load_bytes_never_raises_on_bytes(data: bytes) -> None:
    _check_invariants(data)


@PROPERTY
@given(yaml_fragments())
def test_load_bytes_never_raises_on_yaml_fragments(text: str) -> None:
    _check_invariants(text.encode("utf-8"))


@PROPERTY
@given(dumped_yaml())
def test_load_bytes_reads_well_formed_yaml_without_syntax_errors(text: str) -> None:
    loaded = _check_invariants(text.encode("utf-8"))
    syntax = {"invalid-yaml", "invalid-encoding", "multiple-documents", "nesting-too-deep", "alias-bomb"}
    assert not [problem for problem in loaded.problems if problem.kind in syntax], text


def _check_invariants(data: bytes) -> LoadedArtifact:
    loaded = load_bytes(data, "fuzz.yaml")
    if loaded.problems:
        _assert_reported(loaded, data)
    else:
        assert loaded.model is not None
    return loaded
