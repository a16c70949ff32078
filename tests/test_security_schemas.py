"""The organisation's extra schemas come from the repository, so on a pull request from whoever
opened it: they must not reach the network or files elsewhere on the machine, hang a run with a
pattern, a FIFO or /dev/zero, or crash it with references that lead nowhere or round in a circle.

Runs that could hang without these defences go through the real executable in a subprocess,
with a time limit and a memory limit, so that a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stratlint.load.artifact import load_bytes
from stratlint.load.discover import find_repository_root
from stratlint.load.extra_schema import ExtraSchema, check_extra_schema

from conftest import PROJECT, invoke
from strategy_trees import BASE, edit, make_repo

KEY = "extra-schemas.roadmap"
SCHEMA = "schemas/short.json"
NEVER = {"required": ["nothing-has-this"]}
"""A schema every roadmap breaks: a run that applies it has findings (exit status 1)."""

_MEMORY = 2 << 30
_LAUNCH = (
    "import resource, runpy, sys;"
    f"resource.setrlimit(resource.RLIMIT_AS, ({_MEMORY}, {_MEMORY}));"
    "sys.argv = ['stratlint', *sys.argv[1:]];"
    "runpy.run_module('stratlint', run_name='__main__')"
)


def run_bounded(*args: str | os.PathLike[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real executable, within 2 GB of memory and ``timeout`` seconds, with no proxy."""
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-c", _LAUNCH, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def configure(repo: Path, schema: Any, location: str = SCHEMA) -> Path:
    """Write ``schema`` (JSON, or text as it is) at ``location`` and name it for roadmaps."""
    path = repo / location
    if schema is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(schema if isinstance(schema, str) else json.dumps(schema), encoding="utf-8")
    (repo / "stratlint.toml").write_text(f'[extra-schemas]\nroadmap = "{location}"\n', encoding="utf-8")
    return path


def assert_configuration_error(stderr: str, *parts: str) -> None:
    assert stderr.startswith(f"stratlint: stratlint.toml: {KEY}: "), stderr
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    for part in parts:
        assert part in stderr, (part, stderr)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)[0]


# -- 1. references reach neither the network nor files outside the repository --------------


class _Silent(http.server.BaseHTTPRequestHandler):
    """Records each request and never answers: a client without a timeout waits for ever."""

    requests: list[str] = []
    release = threading.Event()

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.release.wait(timeout=120)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    release = threading.Event()
    handler = type("Handler", (_Silent,), {"requests": requests, "release": release})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_reference_to_the_network_makes_no_request(repo: Path, silent_server: tuple[str, list[str]]) -> None:
    address, requests = silent_server
    ref = f"{address}/evil.json"
    configure(repo, {"$ref": ref})
    result = run_bounded("check", "strategy", cwd=repo, timeout=60)
    assert result.returncode == 2, result.stderr
    assert_configuration_error(result.stderr, f"'{ref}'", "network", SCHEMA)
    assert requests == []


@pytest.mark.parametrize(
    "how",
    ["file-uri", "relative", "link"],
)
def test_a_reference_to_a_file_outside_the_repository_is_refused(repo: Path, tmp_path: Path, how: str) -> None:
    outside = tmp_path / "outside" / "secret.json"
    outside.parent.mkdir()
    outside.write_text(json.dumps(NEVER), encoding="utf-8")
    if how == "file-uri":
        ref = outside.as_uri()
    elif how == "relative":
        ref = "../../outside/secret.json"
    else:
        (repo / "schemas").mkdir()
        (repo / "schemas" / "common.json").symlink_to(outside)
        ref = "common.json"
    configure(repo, {"$ref": ref})
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 2, result.output
    assert_configuration_error(result.stderr, f"'{ref}'", "outside the repository")


def test_a_reference_to_a_name_nothing_defines_is_refused(repo: Path) -> None:
    configure(repo, {"$ref": "urn:example:roadmap-rules"})
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert_configuration_error(result.stderr, "'urn:example:roadmap-rules'", "not a file in the repository")


def test_a_reference_to_a_fifo_or_a_device_never_blocks(repo: Path) -> None:
    fifo = repo / "schemas" / "pipe.json"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    configure(repo, {"$ref": fifo.as_uri()})
    result = run_bounded("check", "strategy", cwd=repo, timeout=60)
    assert result.returncode == 2, result.stderr
    assert_configuration_error(result.stderr, "schemas/pipe.json", "not a regular file")
    (repo / "schemas" / "zero.json").symlink_to("/dev/zero")
    configure(repo, {"$ref": "zero.json"})
    result = run_bounded("check", "strategy", cwd=repo, timeout=60)
    assert result.returncode == 2, result.stderr
    assert_configuration_error(result.stderr, "'zero.json'", "/dev/zero", "outside the repository")


def test_references_inside_the_repository_are_followed(repo: Path) -> None:
    configure(repo, {"$ref": "rules/common.json"})
    (repo / "schemas" / "rules").mkdir()
    common = repo / "schemas" / "rules" / "common.json"
    common.write_text(json.dumps({"$ref": "../../shared.json#/$defs/never"}), encoding="utf-8")
    (repo / "shared.json").write_text(json.dumps({"$defs": {"never": NEVER}}), encoding="utf-8")
    result = invoke("check", "strategy", "--format", "json", cwd=repo)
    assert result.exit_code == 1, result.output
    (finding,) = json.loads(result.stdout)["diagnostics"]
    assert (finding["code"], finding["path"]) == ("SL016", "strategy/product/roadmap.yaml")
    assert "'nothing-has-this' is a required property" in finding["message"]
    # The load cache keys on what the references lead to: a changed file is seen.
    (repo / "shared.json").write_text(json.dumps({"$defs": {"never": {}}}), encoding="utf-8")
    assert invoke("check", "strategy", cwd=repo).exit_code == 0


def test_a_web_id_leads_to_files_next_to_the_schema(repo: Path) -> None:
    """Schemas often name themselves by a web address; what sits under it is read from the
    repository, never fetched."""
    configure(repo, {"$id": "https://example.com/gtm/short.json", "$ref": "common.json"})
    (repo / "schemas" / "common.json").write_text(json.dumps(NEVER), encoding="utf-8")
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 1, result.output
    configure(repo, {"$id": "https://example.com/gtm/short.json", "$ref": "../other/common.json"})
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert_configuration_error(result.stderr, "https://example.com/other/common.json", "network")


# -- 2. patterns are matched in linear time -------------------------------------------------

EVIL = "^(a+)+$"
EVIL_TEXT = "a" * 41 + "!"


def test_a_catastrophic_pattern_cannot_hang_a_run(repo: Path) -> None:
    item = {"properties": {"title": {"pattern": EVIL, "description": "Titles are a's."}}}
    configure(repo, {"properties": {"items": {"items": item}}})
    edit(repo / "strategy" / "product" / "roadmap.yaml", "title: Automatic reconciliation", f"title: {EVIL_TEXT}")
    result = run_bounded("check", "strategy", "--format", "json", cwd=repo, timeout=60)
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["diagnostics"]
    assert finding["code"] == "SL016"
    assert finding["line"] == 6
    assert "Titles are a's." in finding["message"]


def test_catastrophic_pattern_properties_cannot_hang_validation() -> None:
    """patternProperties keys are matched by the same engine, also where additionalProperties
    asks which keys no pattern covers."""
    code = (
        "from stratlint.load.extra_schema import ExtraSchema\n"
        f"schema = ExtraSchema.build('roadmap', 'x.json', {{'patternProperties': {{{EVIL!r}: {{'type': 'string'}}}},"
        " 'additionalProperties': False})\n"
        f"print(sorted(e.message for e in schema.validator.iter_errors({{{EVIL_TEXT!r}: 1, 'aaa': 2}})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=60, check=True
    )
    messages = result.stdout
    assert "2 is not of type 'string'" in messages
    assert f"'{EVIL_TEXT}' does not match any of the regexes: '{EVIL}'" in messages


@pytest.mark.parametrize(
    ("where", "pattern"),
    [("properties/title/pattern", "^(?=Q)"), ("patternProperties", "(a)\\1"), ("properties/title/pattern", "(")],
)
def test_a_pattern_the_engine_cannot_compile_is_a_configuration_error(repo: Path, where: str, pattern: str) -> None:
    if where == "patternProperties":
        schema: dict[str, Any] = {"patternProperties": {pattern: {}}}
    else:
        schema = {"properties": {"title": {"pattern": pattern}}}
    configure(repo, schema)
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert_configuration_error(result.stderr, f"its pattern {pattern!r} at {where} cannot be checked")


def test_unicode_classes_work_in_patterns() -> None:
    """The engine reads ECMA-262 style classes such as \\p{Lu} that Python's re does not."""
    schema = ExtraSchema.build("roadmap", "x.json", {"properties": {"title": {"pattern": "^\\p{Lu}"}}})
    assert list(schema.validator.iter_errors({"title": "Élan"})) == []
    assert len(list(schema.validator.iter_errors({"title": "élan"}))) == 1


def test_unevaluated_properties_beside_pattern_properties_is_refused() -> None:
    """jsonschema matches patternProperties with Python's re when it works out what
    unevaluatedProperties leaves: that combination is refused rather than left to hang."""
    with pytest.raises(ValueError, match=r"'unevaluatedProperties'.*'patternProperties'"):
        ExtraSchema.build(
            "roadmap",
            "x.json",
            {"allOf": [{"patternProperties": {EVIL: {}}}], "unevaluatedProperties": False},
        )


def test_a_nested_dialect_does_not_bring_back_python_patterns() -> None:
    """A referenced part that names its own $schema is checked by the same linear engine."""
    code = (
        "from stratlint.load.extra_schema import ExtraSchema\n"
        "inner = {'$schema': 'https://json-schema.org/draft/2020-12/schema', 'pattern': " + repr(EVIL) + "}\n"
        "schema = ExtraSchema.build('roadmap', 'x.json', {'$defs': {'t': inner}, "
        "'properties': {'title': {'$ref': '#/$defs/t'}}})\n"
        f"print(len(list(schema.validator.iter_errors({{'title': {EVIL_TEXT!r}}}))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "1"


# -- 3. references that lead nowhere or round in a circle ----------------------------------

BROKEN = [
    ({"$ref": "#"}, "go round in a circle ('#') at the top of the schema"),
    (
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
        "go round in a circle",
    ),
    ({"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, "go round in a circle ('#/$defs/a')"),
    ({"allOf": [{"anyOf": [{"$ref": "#"}]}]}, "go round in a circle ('#')"),
    ({"$ref": "#/nope"}, "its reference '#/nope' at the top of the schema leads to nothing"),
    ({"properties": {"items": {"$ref": "#/$defs/missing"}}}, "'#/$defs/missing' at properties/items leads to nothing"),
    ({"$ref": "#no-such-anchor"}, "no anchor named 'no-such-anchor'"),
    ({"$ref": "missing.json"}, "leads to schemas/missing.json, which does not exist"),
]


@pytest.mark.parametrize(("schema", "reason"), BROKEN, ids=[json.dumps(schema) for schema, _ in BROKEN])
def test_a_broken_reference_is_a_configuration_error(repo: Path, schema: Any, reason: str) -> None:
    configure(repo, schema)
    for command in ("check", "config"):
        result = invoke(command, "strategy", cwd=repo)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert_configuration_error(result.stderr, f"the schema file '{SCHEMA}' is not usable", reason)


def test_a_recursive_schema_that_descends_is_accepted(repo: Path) -> None:
    """A reference back to the top through a property is a tree, not a circle."""
    node = {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}
    configure(repo, {"$defs": {"node": node}, "$ref": "#/$defs/node", "properties": {"child": {"$ref": "#"}}})
    assert invoke("check", "strategy", cwd=repo).exit_code == 0


def test_a_schema_that_still_recurses_is_a_problem_of_the_file_not_a_crash() -> None:
    class Recursing:
        def iter_errors(self, data: Any) -> Iterator[Any]:
            raise RecursionError("maximum recursion depth exceeded")
            yield

    schema = ExtraSchema("roadmap", "short.json", {}, Recursing())
    artifact = load_bytes((BASE / "product" / "roadmap.yaml").read_bytes(), "roadmap.yaml")
    (problem,) = check_extra_schema(artifact.data, schema, artifact.source_map)
    assert problem.kind == "extra-schema-violation"
    assert "could not be checked against your organisation's rule for roadmap files (short.json)" in problem.message


# -- 4. the schema file itself ---------------------------------------------------------------


def test_a_fifo_named_as_the_schema_never_blocks(repo: Path) -> None:
    fifo = repo / "schemas" / "short.json"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    configure(repo, None)
    result = run_bounded("check", "strategy", cwd=repo, timeout=60)
    assert result.returncode == 2, result.stderr
    assert_configuration_error(result.stderr, f"the schema file '{SCHEMA}' is not a regular file")


def test_dev_zero_named_as_the_schema_neither_hangs_nor_fills_memory(repo: Path) -> None:
    (repo / "schemas").mkdir()
    (repo / "schemas" / "short.json").symlink_to("/dev/zero")
    configure(repo, None)
    result = run_bounded("check", "strategy", cwd=repo, timeout=60)
    assert result.returncode == 2, result.stderr
    assert_configuration_error(result.stderr, "leads through a link to /dev/zero, outside the repository")
    configure(repo, None, location="/dev/zero")
    result = run_bounded("check", "strategy", cwd=repo, timeout=60)
    assert result.returncode == 2, result.stderr
    assert_configuration_error(result.stderr, "'/dev/zero' should be a path relative to this file")


def test_a_schema_file_over_the_size_limit_is_not_read(repo: Path) -> None:
    big = repo / "schemas" / "short.json"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)  # sparse: costs no disk
    configure(repo, None)
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 2
    assert_configuration_error(result.stderr, "is larger than 16,777,216 bytes")


@pytest.mark.parametrize("how", ["parent", "absolute", "link"])
def test_a_schema_path_leading_outside_the_repository_is_refused(repo: Path, tmp_path: Path, how: str) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(NEVER), encoding="utf-8")
    if how == "parent":
        location = "../outside.json"
    elif how == "absolute":
        location = outside.as_posix()
    else:
        (repo / "schemas").mkdir()
        (repo / "schemas" / "short.json").symlink_to(outside)
        location = SCHEMA
    configure(repo, None, location=location)
    result = invoke("check", "strategy", cwd=repo)
    assert result.exit_code == 2, result.output
    expected = "should be a path relative to this file" if how == "absolute" else "outside the repository"
    assert_configuration_error(result.stderr, f"the schema file '{location}'", expected)


def test_without_a_repository_the_boundary_is_the_configuration_folder(tmp_path: Path) -> None:
    if find_repository_root(tmp_path) is not None:
        pytest.skip("the temporary folder is inside a git repository")
    project = tmp_path / "project"
    (project / "strategy").mkdir(parents=True)
    for source in BASE.rglob("*.yaml"):
        target = project / "strategy" / source.relative_to(BASE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    (tmp_path / "outside.json").write_text(json.dumps(NEVER), encoding="utf-8")
    configure(project, None, location="../outside.json")
    result = invoke("check", "strategy", cwd=project)
    assert result.exit_code == 2, result.output
    assert_configuration_error(result.stderr, "outside the repository")
    configure(project, {"$ref": "../../outside.json"})
    result = invoke("check", "strategy", cwd=project)
    assert result.exit_code == 2, result.output
    assert_configuration_error(result.stderr, "'../../outside.json'", "outside the repository")
