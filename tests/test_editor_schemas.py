"""Editor support in the user's own repository: the schemas ship in the package, every
``$id`` is an https address under one base, ``stratlint schemas`` writes them out (with
``--vscode``, the settings that apply them, merged into the user's), modelines are written
from the file's own folder, and hover shows each field's own description.

The wheel test builds the package as a user gets it and installs it in a new virtual
environment outside the source tree: what ``stratlint schemas`` writes there is what ships."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from gitrepo import new_repository

from stratlint import SCHEMA_BASE_URL
from stratlint.editor import SchemaSetting, merge_settings
from stratlint.load.yaml import parse_yaml
from stratlint.model import KINDS
from stratlint.model.schema import (
    ANY_KIND,
    build_schema,
    find_modeline,
    modeline,
    read_schema_reference,
    rendered_schemas,
    schema_filename,
    schema_id,
    schema_names,
)
from stratlint_dev.generate import schema_folders

from conftest import PROJECT, STRATEGY, invoke

# -- what ships ------------------------------------------------------------------------------


def test_the_package_and_the_published_copy_hold_the_same_generated_schemas() -> None:
    packaged, published = schema_folders(PROJECT)
    expected = rendered_schemas()
    for folder in (packaged, published):
        found = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.json")}
        assert found == expected, f"{folder} differs from the models: run python -m stratlint_dev.generate"


def test_the_package_data_declares_the_schemas() -> None:
    pyproject = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"schemas/*.schema.json"' in pyproject


@pytest.mark.parametrize("name", schema_names())
def test_every_id_is_an_https_address_under_the_one_base(name: str) -> None:
    schema = json.loads((PROJECT / "stratlint" / "schemas" / schema_filename(name)).read_text(encoding="utf-8"))
    assert schema["$id"] == schema_id(name) == SCHEMA_BASE_URL + f"{name}.schema.json"
    assert SCHEMA_BASE_URL.startswith("https://") and SCHEMA_BASE_URL.endswith("/")
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_readme_names_the_ids_and_a_modeline_as_the_code_writes_them() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert f"`{SCHEMA_BASE_URL}<kind>.schema.json`" in readme
    assert (
        f"`strategy/product/close.yaml`, `{modeline('strategy/product/close.yaml', 'schemas/roadmap.schema.json')}`"
        in (" ".join(readme.split()))
    )
    assert "$schema=../schemas/<kind>" not in readme


def test_no_schema_is_named_by_a_urn_any_more() -> None:
    offenders = [
        path.relative_to(PROJECT).as_posix()
        for folder in ("stratlint", "schemas")
        for path in (PROJECT / folder).rglob("*")
        if path.suffix in (".py", ".json") and "urn:stratlint:schema" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# -- the schema for any kind -----------------------------------------------------------------


def _bundled() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, parse_yaml(path.read_bytes()).data) for path in sorted(STRATEGY.rglob("*.yaml"))]


def test_the_schema_for_any_kind_accepts_what_each_kind_accepts_and_rejects_what_it_rejects() -> None:
    anything = jsonschema.Draft202012Validator(build_schema(ANY_KIND))
    for name, document in _bundled():
        own = jsonschema.Draft202012Validator(build_schema(document["kind"]))
        assert list(own.iter_errors(document)) == [] and list(anything.iter_errors(document)) == [], name
        typo = {**document, "ownr": "pmm-lead"}
        assert list(own.iter_errors(typo)) and list(anything.iter_errors(typo)), name
    unknown = {"stratlint": 1, "kind": "roadmaps", "id": "roadmap"}
    errors = list(anything.iter_errors(unknown))
    assert [list(error.absolute_path) for error in errors] == [["kind"]]


def test_the_schema_for_any_kind_applies_the_kind_named_not_another() -> None:
    anything = jsonschema.Draft202012Validator(build_schema(ANY_KIND))
    roadmap = next(document for _, document in _bundled() if document["kind"] == "roadmap")
    as_messaging = {**roadmap, "kind": "messaging"}
    assert any("items" in str(error.message) for error in anything.iter_errors(as_messaging))


# -- hover shows the field's own description -------------------------------------------------


def _optional_fields(schema: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(schema, dict):
        for name, field in (schema.get("properties") or {}).items():
            if isinstance(field, dict) and "anyOf" in field:
                found.append((f"{where}/{name}", field))
        for key, value in schema.items():
            found.extend(_optional_fields(value, f"{where}/{key}"))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found.extend(_optional_fields(value, f"{where}/{index}"))
    return found


@pytest.mark.parametrize("name", schema_names())
def test_every_branch_of_an_optional_field_that_describes_itself_says_what_the_field_says(name: str) -> None:
    fields = _optional_fields(build_schema(name))
    assert fields
    wrong = [
        where
        for where, field in fields
        for branch in field["anyOf"]
        if ("description" in branch or "$ref" in branch) and branch.get("description") != field["description"]
    ]
    assert wrong == []


def test_as_of_says_when_the_evidence_was_true_not_what_a_date_is() -> None:
    as_of = build_schema("narrative")["$defs"]["ProofPoint"]["properties"]["as_of"]
    descriptions = {as_of["description"], *(branch.get("description") for branch in as_of["anyOf"])} - {None}
    assert descriptions == {
        "When the evidence was true, as YYYY-MM-DD, or as YYYY-MM or YYYY when the source\n"
        "gives no day: a month or a year is judged at its end."
    }


# -- modelines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "schema", "written"),
    [
        ("strategy/value.yaml", "schemas/value.schema.json", "../schemas/value.schema.json"),
        ("strategy/product/close.yaml", "schemas/roadmap.schema.json", "../../schemas/roadmap.schema.json"),
        ("strategy/a/b/c.yaml", "schemas/roadmap.schema.json", "../../../schemas/roadmap.schema.json"),
        ("value.yaml", "schemas/value.schema.json", "schemas/value.schema.json"),
        ("strategy/x.yaml", "strategy/schemas/value.schema.json", "schemas/value.schema.json"),
    ],
)
def test_a_modeline_names_the_schema_from_the_files_own_folder(file: str, schema: str, written: str) -> None:
    line = modeline(file, schema)
    assert line == f"# yaml-language-server: $schema={written}"
    found = find_modeline(line + "\nstratlint: 1\n")
    assert found is not None and found.target == written
    assert read_schema_reference(file, found.target).resolved == schema


@pytest.mark.parametrize(
    ("text", "target", "line", "column"),
    [
        ("# yaml-language-server: $schema=a.json\nk: v\n", "a.json", 1, 33),
        ("\ufeff# yaml-language-server: $schema=a.json\n", "a.json", 1, 33),  # the byte order mark is no column
        ("# owner: pmm\n\n#   yaml-language-server : $schema=b.json x\n", "b.json", 3, 36),
        ("# $schema: c.json\n", "c.json", 1, 12),
        ("%YAML 1.2\n---\n# yaml-language-server: $schema=d.json\nk: v\n", "d.json", 3, 33),
        ("k: v\n# yaml-language-server: $schema=e.json\n", None, 0, 0),
        ("#yaml-language-server: $schema=f.json\n", None, 0, 0),
        ("# yaml-language-server: nothing here\nk: v\n", None, 0, 0),
        ("", None, 0, 0),
    ],
)
def test_a_modeline_is_found_where_the_language_server_finds_it(
    text: str, target: str | None, line: int, column: int
) -> None:
    found = find_modeline(text)
    if target is None:
        assert found is None
    else:
        assert found is not None and (found.target, found.line, found.column) == (target, line, column)


@pytest.mark.parametrize(
    ("target", "kinds", "outside", "absolute"),
    [
        ("../../schemas/roadmap.schema.json", {"roadmap"}, False, False),
        ("../../schemas/strategy.schema.json", set(KINDS), False, False),
        ("../../../schemas/roadmap.schema.json", {"roadmap"}, True, False),
        ("../../schemas/messaging.schema.json#/x", {"messaging"}, False, False),
        (SCHEMA_BASE_URL + "roadmap.schema.json", {"roadmap"}, False, False),
        ("https://example.com/gtm/roadmap.schema.json?v=2", {"roadmap"}, False, False),
        ("https://json.schemastore.org/github-workflow.json", None, False, False),
        ("/home/pmm/schemas/roadmap.schema.json", {"roadmap"}, False, True),
        ("file:///home/pmm/roadmap.schema.json", {"roadmap"}, False, True),
        ("C:/schemas/roadmap.schema.json", {"roadmap"}, False, True),
        ("roadmaps.schema.json", None, False, False),
    ],
)
def test_a_modeline_target_is_read_by_its_text(
    target: str, kinds: set[str] | None, outside: bool, absolute: bool
) -> None:
    reference = read_schema_reference("strategy/product/close.yaml", target)
    assert (reference.kinds, reference.outside, reference.absolute) == (
        frozenset(kinds) if kinds is not None else None,
        outside,
        absolute,
    )


# -- stratlint schemas -----------------------------------------------------------------------


def _shipped() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (PROJECT / "stratlint" / "schemas").glob("*.json")}


def test_schemas_writes_every_schema_at_the_repository_root_from_any_folder(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    result = invoke("schemas", cwd=repo / "strategy" / "product")
    assert result.exit_code == 0, result.output
    assert result.output == "Wrote 10 schemas to schemas/.\n"
    assert {path.name: path.read_bytes() for path in (repo / "schemas").iterdir()} == _shipped()
    assert not (repo / ".vscode").exists()


def test_schemas_output_writes_into_the_folder_named(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    result = invoke("schemas", "--output", "editor/json", cwd=repo)
    assert result.exit_code == 0, result.output
    assert {path.name: path.read_bytes() for path in (repo / "editor" / "json").iterdir()} == _shipped()
    assert invoke("schemas", "--output", "", cwd=repo).exit_code == 2


def _settings(repo: Path) -> Any:
    return json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))


def test_vscode_maps_every_yaml_file_under_the_root_to_the_schema_for_any_kind(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    result = invoke("schemas", "--vscode", cwd=repo)
    assert result.exit_code == 0, result.output
    assert _settings(repo) == {
        "yaml.schemas": {"./schemas/strategy.schema.json": ["strategy/**/*.yaml", "strategy/**/*.yml"]}
    }
    assert "strategy/**/*.yaml" in result.output


def test_vscode_follows_the_configured_root_and_escapes_glob_characters(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo", with_strategy=False)
    shutil.copytree(STRATEGY, repo / "gtm" / "plan [fy27]")
    (repo / "stratlint.toml").write_text('root = "gtm/plan [fy27]"\n', encoding="utf-8")
    assert invoke("schemas", "--vscode", "--output", "gtm/schemas", cwd=repo).exit_code == 0
    assert _settings(repo)["yaml.schemas"] == {
        "./gtm/schemas/strategy.schema.json": ["gtm/plan \\[fy27\\]/**/*.yaml", "gtm/plan \\[fy27\\]/**/*.yml"]
    }


def test_vscode_with_the_strategy_at_the_repository_root_covers_every_yaml_file(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo", with_strategy=False)
    for path in STRATEGY.iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, repo / path.name)
    assert invoke("schemas", "--vscode", ".", cwd=repo).exit_code == 0
    assert _settings(repo)["yaml.schemas"] == {"./schemas/strategy.schema.json": ["**/*.yaml", "**/*.yml"]}


JSONC = """// Team settings: keep them tidy.
{
    "editor.tabSize": 2, // two, as everywhere
    /* YAML */
    "yaml.schemas": {
        "https://json.schemastore.org/github-workflow.json": ".github/workflows/*.yml", // CI
    },
    "files.exclude": {"**/.git": true,},
}
"""


def test_vscode_merges_into_settings_with_comments_and_keeps_every_other_byte(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text(JSONC, encoding="utf-8")
    assert invoke("schemas", "--vscode", cwd=repo).exit_code == 0
    merged = (repo / ".vscode" / "settings.json").read_text(encoding="utf-8")
    ours = '        "./schemas/strategy.schema.json": ["strategy/**/*.yaml", "strategy/**/*.yml"]\n'
    assert merged == JSONC.replace("// CI\n", "// CI\n" + ours)
    assert invoke("schemas", "--vscode", cwd=repo).exit_code == 0
    assert (repo / ".vscode" / "settings.json").read_text(encoding="utf-8") == merged, "a second run changes nothing"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('{"a": 1 // one\n}', '{"a": 1, // one\n    "yaml.schemas": {\n        "./s.json": [\n'),
        ('{"a": [1, 2] /* c */ ,\n}', '{"a": [1, 2] /* c */ ,\n    "yaml.schemas"'),
        ("{}", '{\n    "yaml.schemas"'),
        ("// nothing yet\n", '// nothing yet\n{\n    "yaml.schemas"'),
        ("", '{\n    "yaml.schemas"'),
        ('\ufeff{"yaml.schemas": {"./s.json": "old/*.yaml"}}', '\ufeff{"yaml.schemas": {"./s.json": ["x/**/*.yaml"]}}'),
    ],
)
def test_merging_keeps_what_is_there(before: str, after: str) -> None:
    merged = merge_settings(before, SchemaSetting("./s.json", ("x/**/*.yaml",)))
    assert merged.startswith(after)


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ('{"a": 1,,}', "not valid JSON"),
        ('{"a": /* open', "cannot be read as JSON with comments"),
        ("[1]", "does not hold a JSON object"),
        ('{"yaml.schemas": [], "x": 1}', "'yaml.schemas' is not an object"),
        ('{"yaml.schemas": {}, "yaml.schemas": {}}', "more than once"),
    ],
)
def test_vscode_refuses_settings_it_cannot_merge_safely_and_writes_nothing(
    tmp_path: Path, settings: str, reason: str
) -> None:
    repo = new_repository(tmp_path / "repo")
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text(settings, encoding="utf-8")
    result = invoke("schemas", "--vscode", cwd=repo)
    assert result.exit_code == 2
    assert result.output.startswith("stratlint: .vscode/settings.json was left as it is: ") and reason in result.output
    assert (repo / ".vscode" / "settings.json").read_text(encoding="utf-8") == settings
    assert not (repo / "schemas").exists(), "nothing is written when the settings cannot be"


def test_vscode_never_replaces_a_linked_settings_file(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}", encoding="utf-8")
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").symlink_to(elsewhere)
    result = invoke("schemas", "--vscode", cwd=repo)
    assert result.exit_code == 2 and "link" in result.output
    assert elsewhere.read_text(encoding="utf-8") == "{}"


def test_vscode_refuses_schemas_outside_the_repository(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    result = invoke("schemas", "--vscode", "--output", tmp_path / "outside", cwd=repo)
    assert result.exit_code == 2 and "outside the repository" in result.output
    assert not (tmp_path / "outside").exists() and not (repo / ".vscode").exists()


def test_schemas_never_write_through_a_link_that_leads_outside(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "repo")
    (tmp_path / "outside").mkdir()
    (repo / "schemas").symlink_to(tmp_path / "outside")
    result = invoke("schemas", cwd=repo)
    assert result.exit_code == 2 and "outside the repository" in result.output
    assert list((tmp_path / "outside").iterdir()) == []


# -- from a wheel, outside the source tree ---------------------------------------------------


_NO_INDEX = ("Could not find a version", "No matching distribution", "NewConnectionError", "Network is unreachable")
"""What pip says when the package index cannot be reached for the build backend."""


def install_wheel(work: Path) -> Path:
    """Build the package's wheel from a copy of the source, as pip builds it for a user (the
    build backend from the package index), and install it in a new virtual environment in
    ``work``; its dependencies come from this test run's environment. Returns the
    environment's ``stratlint`` executable."""
    source = work / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, source / name)
    shutil.copytree(PROJECT / "stratlint", source / "stratlint", ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if built.returncode != 0 and any(sign in built.stderr for sign in _NO_INDEX):
        pytest.skip(f"pip could not fetch the build backend (setuptools) from the package index: {built.stderr[-300:]}")
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("stratlint-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies, from this environment; after the new environment's own packages.
    (Path(purelib) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv / "bin" / "stratlint"


def wheel_environment() -> dict[str, str]:
    """The environment to run the installed executable in: nothing points at the source tree."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("FORCE_COLOR", None)
    return env


@pytest.mark.integration
def test_a_wheel_installed_outside_the_source_tree_ships_the_schemas(tmp_path: Path) -> None:
    stratlint = install_wheel(tmp_path / "wheel")
    python = stratlint.parent / "python"
    where = subprocess.run(
        [python, "-c", "import stratlint; print(stratlint.__file__)"],
        cwd=tmp_path,
        env=wheel_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "wheel" / "venv"), where
    repo = new_repository(tmp_path / "repo")
    ran = subprocess.run(
        [stratlint, "schemas", "--output", "editor/schemas", "--vscode"],
        cwd=repo,
        env=wheel_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert {path.name: path.read_bytes() for path in (repo / "editor" / "schemas").iterdir()} == _shipped()
    assert _settings(repo)["yaml.schemas"] == {
        "./editor/schemas/strategy.schema.json": ["strategy/**/*.yaml", "strategy/**/*.yml"]
    }


def test_a_file_outside_the_repository_is_not_said_to_lead_outside_it() -> None:
    # Outside any git repository, a strategy outside the current folder has paths that start with '..'.
    reference = read_schema_reference("../elsewhere/strategy/value.yaml", "../schemas/value.schema.json")
    assert reference.kinds == frozenset({"value"}) and not reference.outside


def test_a_byte_order_mark_is_not_counted_in_the_modeline_column() -> None:
    line = "# yaml-language-server: $schema=../schemas/roadmap.schema.json\n"
    plain, marked = find_modeline(line), find_modeline("\ufeff" + line)
    assert plain is not None and marked is not None
    assert plain.column == marked.column == len("# yaml-language-server: $schema=") + 1
