"""stratlint init."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path

import click

from stratlint import StratlintError
from stratlint.analysis.check import lint
from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import debug_option
from stratlint.config import resolve_settings
from stratlint.drift.lockfile import LOCK_FILENAME, render_lock
from stratlint.drift.review import update_lock
from stratlint.editor import (
    SETTINGS_FILE,
    EditorSetupError,
    schema_setting,
    shipped_schemas,
    vscode_settings,
)
from stratlint.fileio import atomic_write
from stratlint.paths import leads_outside
from stratlint.scaffold import DEFAULT, RELEASE_FILE, STRATEGY_FOLDER, Answers, plan, repository_files, strategy_files
from stratlint.vcs import git

SCHEMAS_FOLDER = "schemas"
_THERE = "already there"


@dataclass(frozen=True, slots=True)
class InitRequest:
    folder: Path
    answers: Answers
    today: datetime.date


@dataclass(slots=True)
class _Written:
    written: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, why) of each file left as it was."""


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


@cli.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--interactive",
    "-i",
    is_flag=True,
    help="Ask for the company's name, its segments and its pillars, and fill them in.",
)
@debug_option
def init_command(folder: Path, interactive: bool) -> int:
    """Start a strategy repository in FOLDER (default: here) that checks clean.

    Writes the value definition, the narrative, the priorities and governance; a roadmap,
    a messaging file and a playbook, each with guidance for the function that owns it; a
    release plan; the JSON Schemas and VS Code's settings; a pre-commit configuration with
    stratlint's hooks; CI workflows for GitHub Actions and GitLab; and the review lock.
    A file that is already there is never overwritten: it is named as skipped."""
    answers = DEFAULT
    if interactive:
        company = click.prompt("Company name", default=DEFAULT.company)
        segments = click.prompt("Customer segments you serve, separated by commas", default=", ".join(DEFAULT.segments))
        pillars = click.prompt("Pillars of your narrative, separated by commas", default=", ".join(DEFAULT.pillars))
        answers = Answers(company, _names(segments), _names(pillars))
    return run_init(InitRequest(folder, answers, datetime.date.today()))


def run_init(request: InitRequest) -> int:
    folder = request.folder
    if folder.exists() and not folder.is_dir():
        raise StratlintError(f"{folder}: not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StratlintError(f"cannot create the folder {folder}: {error.strerror or error}") from None
    done = _Written()
    files = {**strategy_files(request.answers, request.today), **repository_files()}
    for relpath, text in files.items():
        _write_new(folder, relpath, text.encode("utf-8"), done)
    for name, content in shipped_schemas().items():
        _write_new(folder, f"{SCHEMAS_FOLDER}/{name}", content, done)
    _write_settings(folder, done)
    _write_lock(folder, done)
    click.echo(_report(folder, request, done), nl=False)
    return EXIT_CLEAN


def _write_new(folder: Path, relpath: str, content: bytes, done: _Written) -> bool:
    """Write ``content`` at ``relpath`` under ``folder`` unless something is there already,
    or the path leads outside the folder through a link."""
    target = folder / relpath
    if os.path.lexists(target):
        done.skipped.append((relpath, _THERE))
        return False
    if leads_outside(target, folder) is not None:
        done.skipped.append((relpath, "a link on its way leads outside the folder"))
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, content)
    except OSError as error:
        raise StratlintError(f"cannot write {target}: {error.strerror or error}") from None
    done.written.append(relpath)
    return True


def _write_settings(folder: Path, done: _Written) -> None:
    relpath = SETTINGS_FILE.as_posix()
    if os.path.lexists(folder / SETTINGS_FILE):
        done.skipped.append((relpath, "already there; 'stratlint schemas --vscode' merges the schemas into it"))
        return
    try:
        setting = schema_setting(folder, folder / SCHEMAS_FOLDER, folder / STRATEGY_FOLDER)
        pending = vscode_settings(folder, setting)
    except EditorSetupError as error:
        done.skipped.append((relpath, str(error)))
        return
    _write_new(folder, relpath, pending.text.encode("utf-8"), done)


def _write_lock(folder: Path, done: _Written) -> None:
    """The review lock, as 'stratlint lock' writes it: a stamp for every reference."""
    relpath = f"{STRATEGY_FOLDER}/{LOCK_FILENAME}"
    if os.path.lexists(folder / relpath):
        done.skipped.append((relpath, _THERE))
        return
    settings = resolve_settings(folder / STRATEGY_FOLDER, use_baseline=False)
    result = lint(settings)
    hidden = git.hidden_paths(result.repo_root, result.graph.root_path)
    update = update_lock(result.graph, result.lock, hidden=hidden)
    _write_new(folder, relpath, render_lock(update.edges, update.snapshots).encode("utf-8"), done)


_WHAT = {
    f"{STRATEGY_FOLDER}/value.yaml": "who you serve, why you win, what sets you apart",
    f"{STRATEGY_FOLDER}/narrative.yaml": "the story: thesis, pillars, claims, proof points",
    f"{STRATEGY_FOLDER}/priorities.yaml": "the growth priorities, and the questions all work answers",
    f"{STRATEGY_FOLDER}/governance.yaml": "who decides, handoffs, shared metrics",
    f"{STRATEGY_FOLDER}/market.yaml": "personas, use cases, pricing tiers, competitors",
    f"{STRATEGY_FOLDER}/product/roadmap.yaml": "product's roadmap",
    f"{STRATEGY_FOLDER}/marketing/messaging.yaml": "marketing's messages",
    f"{STRATEGY_FOLDER}/sales/playbook.yaml": "sales plays",
    RELEASE_FILE: "a release plan, for 'stratlint gate'",
    f"{STRATEGY_FOLDER}/{LOCK_FILENAME}": "a review stamp for every reference",
    ".pre-commit-config.yaml": "stratlint's hooks: format, lock, check",
    ".github/workflows/strategy.yml": "GitHub Actions: checks each pull request",
    ".gitlab-ci.yml": "GitLab CI: checks each merge request",
    SETTINGS_FILE.as_posix(): "VS Code applies the schemas",
}


def _listed(paths: list[str]) -> list[str]:
    """One line a file written, and one for all the schemas."""
    schemas = [path for path in paths if path.startswith(f"{SCHEMAS_FOLDER}/")]
    lines = [f"  {path:<38} {_WHAT.get(path, '')}".rstrip() for path in paths if path not in schemas]
    if schemas:
        lines.append(f"  {SCHEMAS_FOLDER + '/':<38} {len(schemas)} JSON Schemas, for editors")
    return lines


def _report(folder: Path, request: InitRequest, done: _Written) -> str:
    shown = folder.as_posix().rstrip("/") or "."
    lines = [f"Started a strategy repository in {shown}:" if done.written else f"Nothing written in {shown}."]
    lines += _listed(done.written)
    if done.skipped:
        count = len(done.skipped)
        lines.append(
            f"Skipped {count} {'file' if count == 1 else 'files'}, left as {'it is' if count == 1 else 'they are'}:"
        )
        why = dict(done.skipped)
        grouped = all(reason == _THERE for path, reason in why.items() if path.startswith(f"{SCHEMAS_FOLDER}/"))
        for path, reason in done.skipped:
            if not (grouped and path.startswith(f"{SCHEMAS_FOLDER}/")):
                lines.append(f"  {path:<38} {reason}")
        schemas = sum(path.startswith(f"{SCHEMAS_FOLDER}/") for path in why)
        if grouped and schemas:
            lines.append(f"  {SCHEMAS_FOLDER + '/':<38} {schemas} JSON Schemas, {_THERE}")
    release = plan(request.answers, request.today).release_id
    steps = [
        ("stratlint check", "checks clean"),
        (f"stratlint gate {release}", "NO-GO until the launch is live and approved"),
        ("pre-commit install", "runs the hooks on every commit"),
    ]
    width = max(len(command) for command, _ in steps)
    lines.append("Next:" if shown == "." else f"Next, in {shown}:")
    lines.extend(f"  {command:<{width}}  {what}" for command, what in steps)
    lines.append(
        "  and set STRATLINT_REV in .github/workflows/strategy.yml and .gitlab-ci.yml to the stratlint commit to run."
    )
    return "\n".join(lines) + "\n"
