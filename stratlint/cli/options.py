"""The options several commands share: --debug, --format, and the configuration flags,
gathered into one CommandLineOptions value that stratlint.config resolves."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from stratlint.cli import DEBUG
from stratlint.config import CommandLineOptions, option_default
from stratlint.diagnostics import Severity

F = TypeVar("F", bound=Callable[..., Any])

SEVERITY_CHOICE = click.Choice([s.label for s in reversed(Severity)], case_sensitive=False)


def _remember_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[DEBUG] = value  # read by the group when a command fails (stratlint.cli)
    return value


debug_option = click.option(
    "--debug", is_flag=True, expose_value=False, callback=_remember_debug, help="Show a traceback on internal errors."
)
"""--debug, which every command takes."""


def format_option(choices: list[str] | None = None) -> Callable[[F], F]:
    """--format for a command whose output is text or one of ``choices`` (text and json by
    default); the command receives it as ``output_format``."""
    return click.option(
        "--format", "output_format", type=click.Choice(choices or ["text", "json"]), default="text", show_default=True
    )


_FLAGS = (
    "config",
    "select",
    "extend_select",
    "ignore",
    "severity",
    "per_path_ignores",
    "fail_on",
    "max_file_size",
    "max_proof_age_months",
    "baseline",
    "allow_outside_root",
)


def config_options(*, baseline: bool = True) -> Callable[[F], F]:
    """Add the configuration flags to a command; it receives them as ``options``."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name, None) for name in _FLAGS}
            options = CommandLineOptions(
                config=given["config"],
                select=given["select"] or (),
                extend_select=given["extend_select"] or (),
                ignore=given["ignore"] or (),
                severity=given["severity"] or (),
                per_path_ignores=given["per_path_ignores"] or (),
                fail_on=given["fail_on"],
                max_file_size=given["max_file_size"],
                max_proof_age_months=given["max_proof_age_months"],
                baseline=given["baseline"],
                allow_outside_root=bool(given["allow_outside_root"]),
            )
            return command(*args, options=options, **kwargs)

        flags = [
            click.option(
                "--config",
                type=click.Path(path_type=Path, dir_okay=False),
                help="Read this configuration file instead of searching for one.",
            ),
            click.option(
                "--select", multiple=True, metavar="CODES", help="Check only these rules (replaces the file's)."
            ),
            click.option("--extend-select", multiple=True, metavar="CODES", help="Check these rules as well."),
            click.option("--ignore", multiple=True, metavar="CODES", help="Do not check these rules."),
            click.option("--severity", multiple=True, metavar="RULE=LEVEL", help="Report a rule at another severity."),
            click.option(
                "--per-path-ignores",
                multiple=True,
                metavar="GLOB=CODES",
                help="Do not check these rules in these files.",
            ),
            click.option(
                "--fail-on", type=SEVERITY_CHOICE, help="The lowest severity that fails the run [default: error]."
            ),
            click.option(
                "--max-file-size", type=click.IntRange(min=1), metavar="BYTES", help="Skip files larger than this."
            ),
            click.option(
                "--max-proof-age-months",
                type=click.IntRange(min=1),
                metavar="MONTHS",
                help="A proof point older than this, still cited, is stale evidence "
                f"[default: {option_default('max-proof-age-months')}].",
            ),
            click.option(
                "--allow-outside-root",
                is_flag=True,
                help="Let the configuration, or a link in the repository, lead the strategy root or the "
                "baseline outside the repository (refused by default: on a pull request they are the proposer's).",
            ),
        ]
        if baseline:
            flags.append(
                click.option(
                    "--baseline",
                    type=click.Path(path_type=Path, dir_okay=False),
                    help="Report only findings not recorded in this baseline file ('stratlint baseline').",
                )
            )
        decorated: Any = wrapper
        for flag in reversed(flags):
            decorated = flag(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


def use_color(flag: bool | None, stream: TextIO) -> bool:
    """Whether to colour output to ``stream``: ``--color``/``--no-color`` when given; then
    NO_COLOR set to anything turns it off (no-color.org), FORCE_COLOR turns it on, and
    TERM=dumb turns it off; otherwise colour goes to a terminal only."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def file_path(*, dash: bool = False) -> Callable[[click.Context, click.Parameter, str | None], Path | None]:
    """A click callback for an option naming a file to write: an empty name is a mistake,
    not the current folder; with ``dash``, '-' is standard output (None, as without it)."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
        if value is None or (dash and value == "-"):
            return None
        if not value:
            hint = ", or '-' for standard output" if dash else ""
            raise click.BadParameter(f"the path is empty; name a file{hint}", ctx, param)
        return Path(value)

    return callback


PROGRESS_AFTER = 1.0
"""Seconds a run takes before the progress line appears: a quick run shows none."""


class Progress:
    """A transient line on stderr while a long run works: it appears once the run has taken
    more than ``PROGRESS_AFTER`` seconds, counts the seconds, and is erased when the run ends,
    so nothing of it stays on the screen or in a log. Only where stderr is a terminal, never
    in CI (the CI variable), with TERM=dumb, or when the report is a machine format."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self._stop: Any = None
        self._thread: Any = None
        self._shown = False

    @staticmethod
    def wanted(output_format: str, stream: TextIO) -> bool:
        if output_format != "text" or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
            return False
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    def __enter__(self) -> Progress:
        if self.enabled:
            import threading  # only a run that may show progress pays for the import

            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="stratlint-progress", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        import time

        after = float(os.environ.get("STRATLINT_PROGRESS_AFTER", PROGRESS_AFTER))
        start = time.monotonic()
        if self._stop.wait(after):
            return
        while True:
            seconds = int(time.monotonic() - start)
            self._write(f"\r\x1b[2K{self.label} {seconds}s")
            self._shown = True
            if self._stop.wait(0.25):
                return

    def _write(self, text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        if self._shown:
            self._write("\r\x1b[2K")  # erase the line: the report starts where it stood
