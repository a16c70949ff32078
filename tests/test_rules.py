"""Every rule against a fixture tree that triggers it and one that does not.

Fixtures live in tests/fixtures/rules/<CODE>-<name>/{bad,good}: overlays on the clean
strategy in tests/fixtures/rules/_base (see tests/rules_harness.py for the format). Extra
variants (``bad-*``, ``good-*``) are tested the same way.

For a bad fixture, the findings of the whole run must be exactly those marked in the
fixture (code, file and line, counted): the rule under test and every side effect it
causes. For a good fixture, the rule must not fire, and the run must be clean.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stratlint.diagnostics import Diagnostic
from stratlint.load.artifact import DEFAULT_MAX_BYTES, LoadedArtifact, load_artifact
from stratlint.load.yaml import MAX_DEPTH, parse_yaml
from stratlint.rules import BY_CODE, RULES, Rule

from rules_harness import (
    BASE,
    FIXTURES,
    STANDALONE_FILE,
    STRATEGY,
    Finding,
    build_tree,
    describe,
    expected_findings,
    fixture_files,
    found_findings,
    lint_tree,
)

Lint = Callable[[Path], list[Diagnostic]]


def _folder(rule: type[Rule]) -> Path:
    return FIXTURES / f"{rule.code}-{rule.name}"


def _variants(prefix: str) -> Iterator[object]:
    for rule in RULES:
        for fixture in sorted(_folder(rule).glob(f"{prefix}*")):
            # Standalone trees are complete strategies checked for their own rule only, with
            # the same markers, by tests/test_drift_rules.py.
            if fixture.is_dir() and not (fixture / STANDALONE_FILE).is_file():
                yield pytest.param(rule, fixture, id=f"{rule.code}-{fixture.name}")


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> Lint:
    """Build and lint a fixture once per module; returns its diagnostics."""
    cache: dict[Path, list[Diagnostic]] = {}

    def run(fixture: Path) -> list[Diagnostic]:
        if fixture not in cache:
            tmp = tmp_path_factory.mktemp(fixture.parent.name + "-" + fixture.name)
            build_tree(fixture, tmp)
            cache[fixture] = lint_tree(tmp)
        return cache[fixture]

    return run


def _diff(expected: Counter[Finding], found: Counter[Finding], diagnostics: list[Diagnostic]) -> str:
    missing = sorted((expected - found).elements())
    unexpected = sorted((found - expected).elements())
    return f"\nmissing:    {missing}\nunexpected: {unexpected}\nall findings:\n{describe(diagnostics)}"


# -- the base and the fixture format ---------------------------------------------------


def test_base_strategy_is_clean(tmp_path: Path) -> None:
    empty = tmp_path / "no-overlay"
    empty.mkdir()
    build_tree(empty, tmp_path / "tree")
    diagnostics = lint_tree(tmp_path / "tree")
    assert diagnostics == [], describe(diagnostics)
    assert not expected_findings(BASE), "the base strategy must not expect findings"


def test_every_fixture_variant_holds_files() -> None:
    """git keeps no empty folders: a fixture without files would vanish from a checkout."""
    for rule in RULES:
        for fixture in _folder(rule).iterdir():
            assert fixture.name.startswith(("bad", "good")), f"unexpected folder {fixture}"
            assert any(path.is_file() for path in fixture.rglob("*")), f"{fixture} holds no files"


def test_markers_name_registered_rules() -> None:
    for rule in RULES:
        for fixture in _folder(rule).iterdir():
            for code, path, line in expected_findings(fixture):
                assert code in BY_CODE, f"{fixture}: {path}:{line} expects unknown code {code}"


def test_marker_near_misses_are_rejected() -> None:
    """A marker with a typo ('# expect SL201', lowercase code) would silently expect nothing."""
    loose = re.compile(r"#\s*expect\b", re.IGNORECASE)
    strict = re.compile(r"#\s*expect:\s*SL\d{3}(\s*,\s*SL\d{3})*\s*$")
    for rule in RULES:
        for fixture in _folder(rule).iterdir():
            for relative in fixture_files(fixture):
                text = (fixture / relative).read_bytes().decode("utf-8", "replace")
                for number, line in enumerate(text.split("\n"), start=1):
                    if loose.search(line):
                        assert strict.search(line), f"{fixture / relative}:{number}: malformed marker {line!r}"


# -- every rule: bad fixtures report exactly what is marked, good ones are clean --------


@pytest.mark.parametrize(("rule", "fixture"), list(_variants("bad")))
def test_bad_fixture_reports_exactly_the_marked_findings(rule: type[Rule], fixture: Path, linted: Lint) -> None:
    expected = expected_findings(fixture)
    assert any(code == rule.code for code, _, _ in expected), f"{fixture} marks no {rule.code} finding"
    diagnostics = linted(fixture)
    found = found_findings(diagnostics)
    assert found == expected, _diff(expected, found, diagnostics)


@pytest.mark.parametrize(("rule", "fixture"), list(_variants("good")))
def test_good_fixture_is_clean(rule: type[Rule], fixture: Path, linted: Lint) -> None:
    assert not expected_findings(fixture), f"{fixture} is a clean fixture but marks findings"
    diagnostics = linted(fixture)
    own = [diagnostic for diagnostic in diagnostics if diagnostic.code == rule.code]
    assert own == [], describe(own)
    assert diagnostics == [], f"a good fixture must lint clean:\n{describe(diagnostics)}"


@pytest.mark.parametrize(("rule", "fixture"), list(_variants("bad")))
def test_findings_are_reported_by_their_rule(rule: type[Rule], fixture: Path, linted: Lint) -> None:
    """Name, severity and message come from the rule that owns the code; the code is never in the text."""
    for diagnostic in linted(fixture):
        owner = BY_CODE[diagnostic.code]
        assert diagnostic.name == owner.name
        assert diagnostic.severity == owner.default_severity
        assert not re.search(r"\bSL\d{3}\b", diagnostic.message), diagnostic.message
        assert diagnostic.message.rstrip().endswith((".", "?")), f"not a full sentence: {diagnostic.message!r}"


# -- columns ---------------------------------------------------------------------------

# For these rules, each finding of the bad fixture (in line, column order) must start at
# the given text on its line. With exact=True the span must also cover exactly that text.
COLUMNS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "SL001": (False, ("owner",)),
    "SL002": (True, ("headline", '"value"')),
    "SL003": (False, ("id", "planed", "2027-Q5", "ownr", "seg-mid-market-finance", "Audit Trail")),
    "SL004": (False, ("roadmaps", "stratlint")),
    "SL007": (False, ("!Ref", "!!python/name:os.system", "!!bool")),
    "SL013": (True, ("<<",)),
    "SL014": (True, ("[owner, backup]", "{narrative: continuous}")),
    "SL101": (True, ("msg-close-in-days", "msg-continuous-close-explainer")),
    "SL107": (True, ("primary",)),
    "SL201": (True, ("claim-close-in-3-days", "pp-acme-case", "prio-expansoin")),
    "SL202": (True, ("pp-acme-close", "seg-mid-market-finance", "claim-close-in-days", "m-pipeline-volume")),
    "SL203": (False, ("id", "value")),
    "SL305": (True, ("seg-enterprise-healthcare", "seg-mid-market-financ", "pillar-continuous-close")),
    "SL405": (False, ("metric", "metric")),
    "SL501": (True, ("priority", "rationale")),
}


@pytest.mark.parametrize("code", sorted(COLUMNS))
def test_finding_points_at_the_offending_text(code: str, tmp_path: Path) -> None:
    rule = BY_CODE[code]
    exact, tokens = COLUMNS[code]
    build_tree(_folder(rule) / "bad", tmp_path)
    diagnostics = sorted((d for d in lint_tree(tmp_path) if d.code == code), key=Diagnostic.sort_key)
    assert len(diagnostics) == len(tokens), describe(diagnostics)
    for diagnostic, token in zip(diagnostics, tokens, strict=True):
        line = (tmp_path / diagnostic.path).read_text(encoding="utf-8").split("\n")[diagnostic.line - 1]
        assert line.count(token) == 1, f"ambiguous token {token!r} in {line!r}"
        assert diagnostic.column == line.index(token) + 1, f"{diagnostic.path}:{diagnostic.line}: {line!r}"
        if exact:
            span = diagnostic.span
            assert span.end_line == span.line, diagnostic
            assert line[span.column - 1 : span.end_column - 1] == token, diagnostic


# -- messages that users see most ------------------------------------------------------


def _base_line(relative: str, text: str) -> int:
    lines = (BASE / relative).read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def _only(diagnostics: list[Diagnostic], code: str, needle: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code and needle in d.message]
    assert len(found) == 1, describe(diagnostics)
    return found[0]


def test_dangling_reference_message_names_the_entry_and_suggests_the_nearest_id(linted: Lint) -> None:
    diagnostics = linted(_folder(BY_CODE["SL201"]) / "bad")
    claim = _only(diagnostics, "SL201", "'claim-close-in-3-days'")
    assert "Message 'msg-spring-webinar'" in claim.message
    assert "does not exist" in claim.message
    assert claim.message.endswith("did you mean 'claim-close-in-days'?")
    proof = _only(diagnostics, "SL201", "'pp-acme-case'")
    assert proof.message.endswith("did you mean 'pp-acme-close'?")
    priority = _only(diagnostics, "SL201", "'prio-expansoin'")
    assert priority.message.endswith("did you mean 'prio-expansion'?")


def test_dangling_reference_without_a_near_id_suggests_nothing(linted: Lint) -> None:
    diagnostics = linted(_folder(BY_CODE["SL302"]) / "bad")
    missing = _only(diagnostics, "SL201", "'pp-audit-study'")
    assert "Claim 'claim-audit-ready'" in missing.message
    assert "did you mean" not in missing.message
    assert missing.message.endswith("does not exist.")


def test_wrong_kind_message_names_both_nodes_and_what_the_field_takes(linted: Lint) -> None:
    diagnostics = linted(_folder(BY_CODE["SL202"]) / "bad")
    wrong = _only(diagnostics, "SL202", "'seg-mid-market-finance'")
    assert "Message 'msg-spring-webinar'" in wrong.message
    assert "segment 'seg-mid-market-finance'" in wrong.message
    assert "under 'narrative'" in wrong.message
    assert "claim or pillar" in wrong.message
    (related,) = wrong.related
    assert related.path == f"{STRATEGY}/value.yaml"
    assert related.span.line == _base_line("value.yaml", "id: seg-mid-market-finance")


def test_duplicate_id_message_points_at_the_first_definition(linted: Lint) -> None:
    diagnostics = linted(_folder(BY_CODE["SL101"]) / "bad")
    duplicate = _only(diagnostics, "SL101", "'msg-close-in-days'")
    first_line = _base_line("marketing/messaging.yaml", "id: msg-close-in-days")
    assert duplicate.path == f"{STRATEGY}/marketing/webinars.yaml"
    assert f"message 'msg-close-in-days' in {STRATEGY}/marketing/messaging.yaml:{first_line}" in duplicate.message
    assert "rename one" in duplicate.message
    (related,) = duplicate.related
    assert (related.path, related.span.line) == (f"{STRATEGY}/marketing/messaging.yaml", first_line)


def test_missing_value_reference_message_names_the_entry_and_the_fix(linted: Lint) -> None:
    diagnostics = linted(_folder(BY_CODE["SL203"]) / "bad")
    missing = _only(diagnostics, "SL203", "'msg-spring-webinar'")
    assert missing.message.startswith("Message 'msg-spring-webinar' does not reference the value definition.")
    assert "Add 'value:'" in missing.message


# -- hostile files: limits are explicit, nothing blocks ---------------------------------


def test_size_limit_fixtures_sit_exactly_at_the_limit(tmp_path: Path) -> None:
    folder = _folder(BY_CODE["SL010"])
    build_tree(folder / "bad", tmp_path / "bad")
    build_tree(folder / "good", tmp_path / "good")
    export = Path(STRATEGY, "product", "export.yaml")
    assert (tmp_path / "bad" / export).stat().st_size == DEFAULT_MAX_BYTES + 1
    assert (tmp_path / "good" / export).stat().st_size == DEFAULT_MAX_BYTES


def _finishes(action: Callable[[], object], seconds: float = 60) -> object:
    """Run ``action`` in a daemon thread; fail instead of hanging the suite."""
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(action()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "blocked on a file that cannot be read"
    assert outcome, "the action raised (see the thread's traceback above)"
    return outcome[0]


def test_unreadable_files_never_block(tmp_path: Path) -> None:
    build_tree(_folder(BY_CODE["SL015"]) / "bad", tmp_path)
    diagnostics = _finishes(lambda: lint_tree(tmp_path))
    assert isinstance(diagnostics, list)
    assert {d.path for d in diagnostics if d.code == "SL015"} >= {f"{STRATEGY}/product/pipe.yaml"}
    # The reader itself, handed the FIFO directly, refuses it without waiting for a writer.
    fifo = tmp_path / STRATEGY / "product" / "pipe.yaml"
    loaded = _finishes(lambda: load_artifact(str(fifo), "pipe.yaml"))
    assert isinstance(loaded, LoadedArtifact)
    assert [problem.kind for problem in loaded.problems] == ["unreadable-file"]


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_limit_does_not_depend_on_the_rest_of_the_file(depth: int) -> None:
    """Large files are measured on the event stream first; the limit must be the same."""
    nested = b"tags: " + b"[" * depth + b"]" * depth + b"\n"
    padded = nested + b'notes: "' + b"-" * 5_000 + b'"\n'
    small = [problem.kind for problem in parse_yaml(nested).problems]
    large = [problem.kind for problem in parse_yaml(padded).problems]
    assert small == large


def test_the_nearest_id_is_the_one_difflib_finds() -> None:
    import difflib
    import random

    from stratlint.rules.references import closest

    rng = random.Random(5)
    alphabet = "abcde-."
    for _ in range(400):
        candidates = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(0, 30))
        ]
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        expected = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        assert closest(word, candidates) == (expected[0] if expected else None), (word, candidates)
