"""Hostile and broken YAML: each case gets one diagnostic at file:line:col, and the run goes on.

Every hostile file is built here, placed beside a copy of the bundled strategy, and checked
through the command line. The rest of the strategy must produce exactly what it produces
alone: the hostile file adds its one finding and nothing else.
"""

from __future__ import annotations

import json
import shutil
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from stratlint.load.artifact import DEFAULT_MAX_BYTES, LoadedArtifact, load_bytes
from stratlint.load.yaml import MAX_VALUES

from conftest import STRATEGY, check_json, run_stratlint

HEADER = "stratlint: 1\nkind: roadmap\nid: roadmap-hostile\nitems: []\n"
"""A valid artifact that adds no entries, so it changes no other finding or score."""


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    code: str
    line: int
    column: int

    def __str__(self) -> str:
        return self.name


def _billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


BILLION_LAUGHS = _billion_laughs()

CASES = [
    # Encoding and characters
    Case("invalid-utf8", (HEADER + "title: Caf").encode() + b"\xe9 menu\n", "SL006", 5, 11),
    Case("invalid-utf8-after-wide-characters", (HEADER + "title: Ünïcödé ").encode() + b"\xff\n", "SL006", 5, 16),
    Case("truncated-utf8-sequence", (HEADER + "title: ").encode() + "é".encode()[:1] + b"\n", "SL006", 5, 8),
    Case("utf16-le-with-bom", HEADER.encode("utf-16"), "SL006", 1, 1),
    Case("utf16-le-without-bom", HEADER.encode("utf-16-le"), "SL006", 1, 1),
    Case("utf16-be-without-bom", HEADER.encode("utf-16-be"), "SL006", 1, 1),
    Case("utf16-be-with-bom", b"\xfe\xff" + HEADER.encode("utf-16-be"), "SL006", 1, 1),
    Case("utf32-le-with-bom", HEADER.encode("utf-32"), "SL006", 1, 1),
    Case("utf32-le-without-bom", HEADER.encode("utf-32-le"), "SL006", 1, 1),
    Case("utf32-be-without-bom", HEADER.encode("utf-32-be"), "SL006", 1, 1),
    Case("utf32-be-with-bom", b"\x00\x00\xfe\xff" + HEADER.encode("utf-32-be"), "SL006", 1, 1),
    Case("nul", (HEADER + "title: a\x00b\n").encode(), "SL006", 5, 9),
    Case("bell", (HEADER + "title: a\x07b\n").encode(), "SL006", 5, 9),
    Case("escape", (HEADER + "title: \x1b[31mred\n").encode(), "SL006", 5, 8),
    Case("delete", (HEADER + "title: a\x7f\n").encode(), "SL006", 5, 9),
    Case("c1-control", (HEADER + "title: a\x9bb\n").encode(), "SL006", 5, 9),
    Case("noncharacter", (HEADER + "title: a\ufffe\n").encode(), "SL006", 5, 9),
    Case("control-on-first-line-after-bom", b"\xef\xbb\xbf" + b"kind: a\x07\n", "SL006", 1, 8),
    Case("invalid-utf8-on-first-line-after-bom", b"\xef\xbb\xbf" + b"kind: a\xff\n", "SL006", 1, 8),
    # File shape
    Case("empty", b"", "SL005", 1, 1),
    Case("comments-only", b"# a strategy file, some day\n# not yet\n", "SL005", 1, 1),
    Case("blank-lines-only", b"\n   \n\n", "SL005", 1, 1),
    Case("two-documents", (HEADER + "---\n" + HEADER).encode(), "SL011", 5, 1),
    Case("a-list", b"- rm-sso\n- rm-audit\n", "SL005", 1, 1),
    Case("a-single-value", b"just some text\n", "SL005", 1, 1),
    Case("a-number", b"42\n", "SL005", 1, 1),
    Case("over-the-size-limit", b"#" * DEFAULT_MAX_BYTES + b"\n", "SL010", 1, 1),
    # A 400,000-character key is kept in the path of each of the 100 values under it: 40 million
    # characters, over the 20 million budget, reported at the mapping that holds them.
    Case(
        "long-key-over-many-values",
        b"? " + b"k" * 400_000 + b"\n:\n" + b"".join(b"  a%d: 1\n" % i for i in range(100)),
        "SL010",
        3,
        3,
    ),
    # 11 values up to the '[' (the mapping, 4 keys and values, 'tags'), so value MAX_VALUES + 1 is
    # 'a' number MAX_VALUES - 10, at column 8 + 2 * (MAX_VALUES - 11).
    Case(
        "too-many-values",
        (HEADER + "tags: [" + "a," * MAX_VALUES + "a]\n").encode(),
        "SL010",
        5,
        8 + 2 * (MAX_VALUES - 11),
    ),
    # YAML constructs
    Case("ref-tag", (HEADER + "owner: !Ref pmm-lead\n").encode(), "SL007", 5, 8),
    Case("binary-tag", (HEADER + "title: !!binary aGVsbG8=\n").encode(), "SL007", 5, 8),
    Case("set-tag", (HEADER + "tags: !!set {a, b}\n").encode(), "SL007", 5, 7),
    Case("invalid-int-tag", (HEADER + "title: !!int twelve\n").encode(), "SL007", 5, 8),
    Case("billion-laughs", BILLION_LAUGHS, "SL008", 1, 1),
    Case(
        "aliases-stacking-shallow-anchors-deep",
        (HEADER + "tags: &a0 " + "[" * 40 + "x" + "]" * 40 + "\nnotes: " + "[" * 40 + "*a0" + "]" * 40 + "\n").encode(),
        "SL009",
        5,
        7,
    ),
    Case("yaml-1.1-directive", ("%YAML 1.1\n---\n" + HEADER + "title: NO\n").encode(), "SL012", 1, 1),
    Case(
        "merge-key",
        (HEADER + "links:\n  - &doc {url: PROD-1, type: ticket}\n  - <<: *doc\n    url: PROD-2\n").encode(),
        "SL013",
        7,
        5,
    ),
    Case("duplicate-key", (HEADER + "title: One\ntitle: Two\n").encode(), "SL002", 6, 1),
    Case("duplicate-key-quoted-and-plain", (HEADER + '"id": roadmap-other\n').encode(), "SL002", 5, 1),
    Case("sequence-as-key", (HEADER + "? [a, b]\n: value\n").encode(), "SL014", 5, 3),
    Case("mapping-as-key", (HEADER + "? {a: 1}\n: value\n").encode(), "SL014", 5, 3),
    Case("tab-indentation", (HEADER + "links:\n\t- url: x\n").encode(), "SL001", 6, 1),
    Case("unclosed-bracket", (HEADER + "tags: [a, b\n").encode(), "SL001", 6, 1),
    # Syntax libyaml would accept but YAML 1.2 forbids
    Case("flow-list-not-indented", (HEADER + "tags: [a,\nb]\n").encode(), "SL001", 6, 1),
    Case("quoted-text-not-indented", (HEADER + 'title: "Close\nfaster"\n').encode(), "SL001", 6, 1),
    Case("comment-glued-to-quoted-text", (HEADER + 'title: "Close"# soon\n').encode(), "SL001", 5, 15),
    Case("lone-dash-in-flow-list", (HEADER + "tags: [-]\n").encode(), "SL001", 5, 8),
    Case("block-text-empty-line-too-indented", (HEADER + "description: >\n   \n # note\n").encode(), "SL001", 6, 2),
]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the bundled strategy produces on its own."""
    folder = tmp_path_factory.mktemp("baseline") / "strategy"
    shutil.copytree(STRATEGY, folder)
    _, document = check_json(folder)
    return document


def _split(document: dict[str, Any], name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    mine = [d for d in document["diagnostics"] if d["path"].endswith(name)]
    others = [d for d in document["diagnostics"] if not d["path"].endswith(name)]
    return mine, others


def _strip_paths(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**d, "path": d["path"].rsplit("strategy/", 1)[-1]} for d in diagnostics]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_file_gets_one_diagnostic_and_the_run_goes_on(
    case: Case, strategy_copy: Path, baseline: dict[str, Any]
) -> None:
    (strategy_copy / "hostile.yaml").write_bytes(case.data)
    exit_code, document = check_json(strategy_copy)
    mine, others = _split(document, "strategy/hostile.yaml")
    assert [(d["code"], d["line"], d["column"]) for d in mine] == [(case.code, case.line, case.column)], mine
    assert mine[0]["message"]
    # The rest of the strategy is read exactly as without the hostile file.
    assert _strip_paths(others) == _strip_paths(baseline["diagnostics"])
    for function, scores in document["summary"]["alignment"].items():
        expected = dict(baseline["summary"]["alignment"][function])
        if scores["incomplete"]:
            # The hostile file is a roadmap file that cannot be read in full: product's
            # alignment, and so the overall one, is not known; every count stays as it was.
            assert function in ("product", "overall"), function
            expected.update(score=None, incomplete=True)
        assert scores == expected
    assert document["summary"]["files"] == baseline["summary"]["files"] + 1
    assert exit_code == 1


def test_each_case_builds_a_different_file() -> None:
    assert len({case.data for case in CASES}) == len(CASES)
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("first", "second"), [("1", "true"), ("1", "0x1"), ("true", "True"), ("1", "1.0"), ("1", '"1"'), ('"1"', "1")]
)
def test_keys_that_read_as_the_same_value_collide(first: str, second: str, strategy_copy: Path) -> None:
    # Many programs load 1 and true (or 1 and 0x1) as the same key, so one value would silently
    # win. The key that survives is also not a field of any kind: a second, separate finding.
    (strategy_copy / "hostile.yaml").write_bytes(f"{HEADER}{first}: a\n{second}: b\n".encode())
    _, document = check_json(strategy_copy)
    mine, _ = _split(document, "strategy/hostile.yaml")
    assert [(d["code"], d["line"], d["column"]) for d in mine] == [("SL003", 5, 1), ("SL002", 6, 1)]
    for key in (first, second):
        assert "'" + key.strip('"') + "'" in mine[1]["message"]


def test_utf8_bom_is_tolerated_and_positions_stay_right(strategy_copy: Path, baseline: dict[str, Any]) -> None:
    bom = b"\xef\xbb\xbf"
    (strategy_copy / "clean.yaml").write_bytes(bom + HEADER.encode())
    (strategy_copy / "typo.yaml").write_bytes(bom + b"kind: roadmapp\nstratlint: 1\nid: roadmap-typo\nitems: []\n")
    _, document = check_json(strategy_copy)
    assert not [d for d in document["diagnostics"] if d["path"].endswith("clean.yaml")]
    typo = [(d["code"], d["line"], d["column"]) for d in document["diagnostics"] if d["path"].endswith("typo.yaml")]
    assert typo == [("SL004", 1, 7)]
    assert document["summary"]["files"] == baseline["summary"]["files"] + 2


def test_yaml_1_1_directive_keeps_no_as_text() -> None:
    loaded = load_bytes(("%YAML 1.1\n---\n" + HEADER + "title: NO\nowner: off\n").encode(), "x.yaml")
    assert [problem.kind for problem in loaded.problems] == ["unsupported-yaml-version"]
    assert loaded.model is not None
    assert loaded.model.title == "NO"
    assert loaded.model.owner == "off"


def test_merge_key_is_not_applied() -> None:
    loaded = load_bytes(
        (HEADER + "links:\n  - &doc {url: PROD-1, type: ticket}\n  - <<: *doc\n    url: PROD-2\n").encode(), "x.yaml"
    )
    assert loaded.model is not None
    assert [link.type for link in loaded.model.links] == ["ticket", None]


def test_python_tag_is_never_constructed(tmp_path: Path, strategy_copy: Path) -> None:
    marker = tmp_path / "constructed"
    payload = f"title: !!python/object/apply:os.system ['touch {marker}']\n"
    # The payload is live: a loader that constructs arbitrary tags runs it.
    yaml.unsafe_load(payload)
    assert marker.exists()
    marker.unlink()

    (strategy_copy / "hostile.yaml").write_text(HEADER + payload)
    _, document = check_json(strategy_copy)
    mine, _ = _split(document, "strategy/hostile.yaml")
    assert [(d["code"], d["line"], d["column"]) for d in mine] == [("SL007", 5, 8)]
    assert "!!python/object/apply:os.system" in mine[0]["message"]
    loaded = load_bytes((HEADER + payload).encode(), "x.yaml")
    assert [problem.kind for problem in loaded.problems] == ["unsupported-tag"]
    assert not marker.exists()


def _load_measuring_peak(data: bytes, name: str) -> tuple[LoadedArtifact, int]:
    """Load ``data`` and return the loader's peak memory (bytes traced by tracemalloc)."""
    tracemalloc.start()
    try:
        loaded = load_bytes(data, name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return loaded, peak


def test_alias_bomb_is_rejected_before_expansion_with_bounded_memory() -> None:
    assert len(BILLION_LAUGHS) < 600
    # Expanded, the document would hold 9**9 (387 million) strings.
    loaded, peak = _load_measuring_peak(BILLION_LAUGHS, "bomb.yaml")
    assert [problem.kind for problem in loaded.problems] == ["alias-bomb"]
    assert loaded.model is None
    assert peak < 20 * 1024 * 1024


def test_a_chain_of_aliases_cannot_build_deep_data() -> None:
    # Each anchor nests 60 levels and holds the previous one: 2,400 levels once built, which
    # would overflow every recursive walk after loading, yet expands to few values.
    lines = [HEADER.rstrip("\n")]
    for k in range(40):
        inner = f"*a{k - 1}" if k else "x"
        lines.append(f"k{k}: &a{k} " + "[" * 60 + inner + "]" * 60)
    loaded = load_bytes(("\n".join(lines) + "\n").encode(), "x.yaml")
    assert [(problem.kind, problem.line) for problem in loaded.problems] == [("nesting-too-deep", 5)]


@pytest.mark.slow
def test_many_values_are_rejected_before_they_fill_memory() -> None:
    data = b"- a\n" * (MAX_VALUES + 1)  # under the size limit
    loaded, peak = _load_measuring_peak(data, "x.yaml")
    assert [(p.kind, p.line) for p in loaded.problems] == [("file-too-large", MAX_VALUES)]
    assert peak < 20 * 1024 * 1024


def test_a_long_text_repeated_by_aliases_is_an_alias_bomb() -> None:
    # Few values, but each alias repeats 500,000 characters into every later stage.
    references = ",".join(["*x"] * 100)
    data = f"{HEADER}title: &x {'X' * 500_000}\ntags: [{references}]\n".encode()
    loaded, peak = _load_measuring_peak(data, "x.yaml")
    assert [problem.kind for problem in loaded.problems] == ["alias-bomb"]
    assert peak < 40 * 1024 * 1024


def test_messages_quote_long_values_briefly() -> None:
    long_id = "x" * 100_000 + "!"
    loaded = load_bytes(f"{HEADER}owner: o\nupdated: {long_id}\n".encode(), "x.yaml")
    assert [problem.kind for problem in loaded.problems] == ["schema-violation"]
    assert len(loaded.problems[0].message) < 300
    assert "…" in loaded.problems[0].message


def test_aliases_within_the_budget_are_read() -> None:
    loaded = load_bytes((HEADER + "title: &t Close faster\ndescription: *t\n").encode(), "x.yaml")
    assert loaded.problems == []
    assert loaded.model is not None
    assert loaded.model.description == "Close faster"


# The top-level collection is level 0 and 64 levels may nest below it: the finding points
# at the first collection past that, the 66th from the left.
DEEP = {
    "flow-lists": (b"[" * 100_000, 1, 66),
    "block-lists": (b"- " * 100_000 + b"x\n", 1, 131),
    "flow-mappings": (b"{" * 100_000, 1, 66),
    "flow-mappings-with-keys": (b"{a: " * 100_000, 1, 261),
    "explicit-keys": (b"? " * 100_000 + b"x\n", 1, 131),
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_a_diagnostic_not_a_crash(name: str, strategy_copy: Path) -> None:
    # In a subprocess: a C stack overflow would kill the test runner itself.
    data, line, column = DEEP[name]
    (strategy_copy / "deep.yaml").write_bytes(data)
    completed = run_stratlint("check", strategy_copy, "--format", "json", cwd=strategy_copy.parent)
    assert completed.returncode == 1, completed.stderr
    document = json.loads(completed.stdout)
    assert [(d["code"], d["path"], d["line"], d["column"]) for d in document["diagnostics"]] == [
        ("SL009", "strategy/deep.yaml", line, column)
    ]


def test_deep_indentation_is_a_diagnostic() -> None:
    data = "".join("  " * depth + "a:\n" for depth in range(300)).encode()
    loaded = load_bytes(data, "x.yaml")
    assert [(p.kind, p.line) for p in loaded.problems] == [("nesting-too-deep", 66)]


def test_many_hashes_inside_values_do_not_hang(strategy_copy: Path) -> None:
    # Each 'a#' is text (a '#' needs a space before it to start a comment), so the check for
    # glued comments looks at 90,000 of them on one line; in a subprocess, so a blow-up in
    # that check would time out instead of stalling the suite.
    (strategy_copy / "hashes.yaml").write_bytes((HEADER + "tags: [" + "a#," * 90_000 + "a]\n").encode())
    completed = run_stratlint("check", strategy_copy, "--format", "json", cwd=strategy_copy.parent)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["diagnostics"] == []


def test_an_alias_is_checked_where_its_anchor_is_written() -> None:
    # The anchored list is indented correctly for its own key; where the alias stands, deeper,
    # the same lines would look under-indented, but they are not written there.
    data = (
        b"stratlint: 1\nkind: roadmap\nid: roadmap-hostile\ntags: &t [a,\n  b]\nitems:\n  - id: rm-a\n"
        b"    title: A\n    status: planned\n    horizon: 2027-Q1\n    owner: o\n    tags: *t\n"
    )
    loaded = load_bytes(data, "x.yaml")
    assert loaded.problems == []
    assert loaded.model is not None


def test_a_rejected_file_reports_only_why() -> None:
    data = (HEADER + 'title: "x"#glued\nnotes: ' + "[" * 70 + "]" * 70 + "\n").encode()
    assert [p.kind for p in load_bytes(data, "x.yaml").problems] == ["nesting-too-deep"]
