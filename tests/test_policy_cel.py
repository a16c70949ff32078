"""The ``cel`` check of a policy rule (stratlint.custom.cel): an expression in CEL that must
give true, on plain data. A finding when it gives false, fails or gives something else; a
configuration error at the policy's line when it cannot be compiled or the extra is missing;
and a hostile expression runs nothing, reads nothing and reaches nothing."""

from __future__ import annotations

import builtins
import gc
import io
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stratlint.config import CommandLineOptions, ConfigError, resolve_config
from stratlint.custom import cel

from conftest import invoke
from rules_harness import STRATEGY, build_tree, lint_tree

pytest.importorskip("celpy", reason="the cel extra (cel-python) is not installed")

MESSAGES = f"{STRATEGY}/marketing/messaging.yaml"


def _tree(tmp_path: Path, policy: str) -> Path:
    (tmp_path / "no-overlay").mkdir(parents=True, exist_ok=True)
    root = build_tree(tmp_path / "no-overlay", tmp_path)
    (root / "stratlint.toml").write_text(policy, encoding="utf-8")
    return root


def _rule(then: str, given: str = '{ type = "message", field = "headline" }', extra: str = "") -> str:
    return f'[[policy.rules]]\nid = "ACME050"\nseverity = "error"\ngiven = {given}\nthen = {then}\n{extra}'


def _policy_error(root: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        resolve_config(None, CommandLineOptions(config=root / "stratlint.toml"))
    return str(raised.value)


# -- what an expression sees, and what it reports -------------------------------------------------------


def test_an_expression_that_gives_false_is_a_finding_at_the_field(tmp_path: Path) -> None:
    _tree(tmp_path, _rule("{ cel = { expression = 'value.size() < 20', says = 'a headline stays short' } }"))
    (finding,) = [d for d in lint_tree(tmp_path) if d.code == "ACME050"]
    assert (finding.path, finding.line, finding.column) == (MESSAGES, 6, 5)
    assert (
        finding.message
        == "Message 'msg-close-in-days' does not meet the organisation's policy: a headline stays short."
    )


def test_an_expression_that_gives_true_is_no_finding(tmp_path: Path) -> None:
    _tree(tmp_path, _rule("{ cel = 'value.size() < 60 && value.startsWith(\"Close\")' }"))
    assert [d for d in lint_tree(tmp_path) if d.code == "ACME050"] == []


def test_an_expression_sees_the_entry_the_file_and_the_day(tmp_path: Path) -> None:
    expression = (
        "entry.id == 'msg-close-in-days' && 'seg-mid-market-finance' in entry.segments"
        " && entry.rationale.value.contains('controllers') && file.kind == 'messaging'"
        " && file.path.endsWith('messaging.yaml') && today == '2026-11-24' && value == null"
    )
    quote = "'" * 3
    _tree(tmp_path, _rule("{ cel = " + quote + expression + quote + " }", given='{ type = "message" }'))
    assert [d for d in lint_tree(tmp_path) if d.code == "ACME050"] == []
    _tree(tmp_path / "b", _rule('{ cel = "entry.segments.size() > 1" }', given='{ type = "message" }'))
    (finding,) = [d for d in lint_tree(tmp_path / "b") if d.code == "ACME050"]
    assert (finding.path, finding.line) == (MESSAGES, 5)  # at the entry's id: no field is named
    assert "'entry.segments.size() > 1' should be true" in finding.message


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("value", "it gives the text 'Close your books in three days', not true or false"),
        ("entry.nope == 1", "no such member in mapping: 'nope'"),
        ("1 / 0 == 1", "divide by zero"),
    ],
)
def test_an_expression_that_fails_is_a_finding_that_names_the_rule(expression: str, said: str, tmp_path: Path) -> None:
    _tree(tmp_path, _rule("{ cel = " + json.dumps(expression) + " }"))
    (finding,) = [d for d in lint_tree(tmp_path) if d.code == "ACME050"]
    assert (finding.path, finding.line) == (MESSAGES, 6)
    assert finding.message.startswith(f"The organisation's expression '{expression}' cannot be evaluated on message")
    assert said in finding.message
    assert finding.message.endswith("stratlint.toml:1.")


@pytest.mark.parametrize(
    ("then", "fragment"),
    [
        ("{ cel = 'value.size( < 3' }", "the expression cannot be read at character 13: value.size( < 3"),
        ("{ cel = { expression = '" + "(" * 100 + "true" + ")" * 100 + "' } }", "nests too deeply"),
        ("{ cel = '" + "x" * 2001 + "' }", "at most 2000 characters"),
    ],
)
def test_an_expression_that_cannot_be_compiled_is_an_error_at_the_policy_line(
    then: str, fragment: str, tmp_path: Path
) -> None:
    root = _tree(tmp_path, "# the policy\n" + _rule(then))
    message = _policy_error(root)
    assert "stratlint.toml:6: policy.rules[0].then.cel" in message, message
    assert fragment in message, message


def test_without_the_extra_a_cel_rule_is_one_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, _rule("{ cel = 'value.size() < 60' }"))
    monkeypatch.setitem(sys.modules, "celpy", None)  # what an import finds when cel-python is not installed
    monkeypatch.delitem(sys.modules, "stratlint.custom.cel")
    monkeypatch.delattr("stratlint.custom.cel")
    message = _policy_error(root)
    assert ":5: policy.rules[0].then.cel: " in message, message
    assert "pip install 'stratlint[cel]'" in message
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--config", root / "stratlint.toml", root)
    assert result.exit_code == 2
    assert "stratlint[cel]" in result.output
    assert "Traceback" not in result.output


def test_policy_test_runs_the_examples_of_a_cel_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = (
        '\n[[policy.rules.examples]]\nbad = "headline: A headline that goes on and on"\n'
        '\n[[policy.rules.examples]]\ngood = "headline: Short"\n'
    )
    root = _tree(tmp_path, _rule("{ cel = 'value.size() < 20' }", extra=examples))
    monkeypatch.chdir(tmp_path)
    result = invoke("policy", "test", "--config", root / "stratlint.toml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "2 examples of 1 rule: all pass."
    long_good = examples.replace("Short", "A headline that goes on and on")
    broken = _tree(tmp_path / "b", _rule("{ cel = 'value.size() < 20' }", extra=long_good))
    monkeypatch.chdir(tmp_path / "b")
    result = invoke("policy", "test", "--config", broken / "stratlint.toml")
    assert result.exit_code == 1, result.output
    (failed,) = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert "a good example must pass" in failed


# -- a hostile expression -------------------------------------------------------------------------------------


HOSTILE = [
    "open('/etc/passwd') == ''",
    "__import__('os').system('touch pwned') == 0",
    "os.system('touch pwned') == 0",
    "exec('import os') == null",
    "subprocess.run(['touch', 'pwned']) == null",
    "urlopen('http://127.0.0.1:9/') == ''",
    "entry.__class__.__mro__ == null",
    "'x'.__class__ == null",
    "timestamp('2026-01-01T00:00:00Z').getHours('../../../../etc/passwd') == 0",
    "timestamp('2026-01-01T00:00:00Z').getHours('Europe/Paris') == 0",
    "[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, "
    "[1,2,3,4,5,6,7,8,9,10].map(d, a + b + c + d)))).size() > 0",
    "[" + ",".join(["0"] * 32) + "].reduce(r, i, 'ab', r + r).size() > 0",
    "-" * 500 + "1 == 1",
    "!" * 200 + "true",
]


@pytest.fixture()
def sealed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """While an expression compiles or runs: any file opened, process started or socket
    made is recorded, and refused."""
    # celpy reads its grammar when the first environment is made, and its time type imports
    # what it needs when first used: both before the seal.
    cel.compile_expression("timestamp('2026-01-01T00:00:00Z').getHours() == 0").evaluate({})
    # A warning the collector raises for another test's unclosed file imports tracemalloc:
    # that import is the warnings machinery's, so it is made before the seal, and garbage
    # is collected first. Only the thread that runs the expression is watched.
    import tracemalloc  # noqa: F401

    gc.collect()
    attempts: list[str] = []
    armed = [False]
    watched = threading.get_ident()

    def refuse(what: str) -> None:
        if armed[0] and threading.get_ident() == watched:
            attempts.append(what)
            raise AssertionError(f"a policy expression tried {what}")

    def guarded(name: str, real: object) -> object:
        def call(*args: object, **kwargs: object) -> object:
            refuse(f"{name}{args[:1]!r}")
            return real(*args, **kwargs)  # type: ignore[operator]

        return call

    for owner, name in (
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (os, "system"),
        (os, "popen"),
        (os, "execv"),
        (os, "execve"),
        (os, "posix_spawn"),
        (subprocess, "Popen"),
        (socket, "socket"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
        (builtins, "exec"),
        (builtins, "eval"),
    ):
        monkeypatch.setattr(owner, name, guarded(f"{owner.__name__}.{name}", getattr(owner, name)))

    def audit(event: str, args: tuple[object, ...]) -> None:
        if (
            armed[0]
            and threading.get_ident() == watched
            and event
            in (
                "open",
                "exec",
                "compile",
                "import",
                "subprocess.Popen",
                "os.system",
                "socket.connect",
            )
        ):
            attempts.append(f"{event}{args[:1]!r}")

    sys.addaudithook(audit)  # cannot be removed: it records only while armed
    real_compile, real_evaluate = cel.compile_expression, cel.Expression.evaluate

    def compile_sealed(text: str) -> cel.Expression:
        armed[0] = True
        try:
            return real_compile(text)
        finally:
            armed[0] = False

    def evaluate_sealed(self: cel.Expression, variables: object) -> bool:
        armed[0] = True
        try:
            return real_evaluate(self, variables)  # type: ignore[arg-type]
        finally:
            armed[0] = False

    monkeypatch.setattr(cel, "compile_expression", compile_sealed)
    monkeypatch.setattr(cel.Expression, "evaluate", evaluate_sealed)
    yield attempts
    armed[0] = False


@pytest.mark.parametrize("expression", HOSTILE)
def test_a_hostile_expression_runs_nothing_reads_nothing_and_reaches_nothing(
    expression: str, tmp_path: Path, sealed: list[str]
) -> None:
    root = _tree(tmp_path, _rule("{ cel = " + json.dumps(expression) + " }"))
    try:
        diagnostics = lint_tree(tmp_path)
    except ConfigError as error:  # refused as it is compiled: an error at the policy's line
        assert ":5: policy.rules[0].then.cel: " in str(error)
    else:
        (finding,) = [d for d in diagnostics if d.code == "ACME050"]
        assert (finding.path, finding.line) == (MESSAGES, 6)
        assert "cannot be evaluated" in finding.message
    assert sealed == []
    assert not (root / "pwned").exists() and not (tmp_path / "pwned").exists()
