"""The command line. Thin: each command parses its options into a request, calls its
``run_*(request) -> int``, and that number is the exit status; ``main`` exits once.

Exit status: 0 no finding at or above the fail level; 1 at least one; 2 usage,
configuration or internal error. One module per command (or two close ones); each
registers itself on ``cli``. ``COMMANDS`` names them all, explicitly, and a module is
imported when one of its commands is asked for, so ``stratlint check`` does not import
what only ``impact`` or ``gate`` use.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from stratlint import StratlintError, __version__
from stratlint.fileio import finish_writes

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

DEBUG = "stratlint.debug"
"""The context's meta key under which --debug is kept (see cli.options.debug_option)."""

_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


COMMANDS: dict[str, str] = {
    "baseline": "baseline",
    "check": "check",
    "config": "config",
    "explain": "rules",
    "format": "format",
    "gate": "gate",
    "impact": "impact",
    "init": "init",
    "lock": "lock",
    "lsp": "lsp",
    "mv": "refactor",
    "policy": "policy",
    "report": "report",
    "review": "lock",
    "rules": "rules",
    "schemas": "schemas",
    "split": "refactor",
    "trend": "report",
}
"""Every command, in help order, and the module under stratlint.cli that defines it."""


class _Cli(click.Group):
    """A click group whose errors are one line on stderr, whose commands are imported when
    asked for (see ``COMMANDS``), and whose ``main`` ends with the command's exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"stratlint.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and not args[0].startswith("-") and self.get_command(ctx, args[0]) is None:
            close = difflib.get_close_matches(args[0], list(COMMANDS), n=1, cutoff=_CLOSE)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(f"there is no command '{args[0]}'{hint}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a failure that stops the run is one line on stderr and status 2."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except StratlintError as error:
            click.echo(f"stratlint: {error}", err=True)
            return EXIT_ERROR
        except Exception as error:
            if ctx.meta.get(DEBUG):
                traceback.print_exc()
            click.echo(
                f"stratlint: internal error: {type(error).__name__}: {error} (run with --debug for the traceback)",
                err=True,
            )
            return EXIT_ERROR

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        sys.exit(self.status(args, prog_name, complete_var, **extra))

    def status(self, args: Sequence[str] | None, prog_name: str | None, complete_var: str | None, **extra: Any) -> int:
        """Run the command line and give its exit status."""
        try:
            outcome = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            if isinstance(error, _NO_ARGS_IS_HELP):
                error.show()  # a bare 'stratlint' prints the help
                return int(error.exit_code)
            command = error.ctx.command_path if error.ctx is not None else "stratlint"
            click.echo(f"stratlint: {_usage_message(error)} (see '{command} --help')", err=True)
            return EXIT_ERROR
        except click.ClickException as error:
            error.show()
            return error.exit_code
        except click.Abort:
            if _STOPPED_BY:
                # Ctrl-C or a SIGTERM: the shell's convention, 128 + the signal's number.
                click.echo("stratlint: interrupted; nothing was left half-written", err=True)
                return 128 + _STOPPED_BY[-1]
            click.echo("Aborted!", err=True)
            return 1
        return outcome if isinstance(outcome, int) else EXIT_CLEAN


_CLOSE = 0.75
"""How alike a mistyped name and a real one must be to suggest it: a far guess misleads."""


def _usage_message(error: click.UsageError) -> str:
    """The usage error in stratlint's words: a mistyped option gets the options it is close
    to, and no guess when none is close."""
    if isinstance(error, click.NoSuchOption):
        close = difflib.get_close_matches(error.option_name, sorted(error.possibilities or ()), n=2, cutoff=_CLOSE)
        hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
        return f"there is no option '{error.option_name}'{hint}"
    return error.format_message()


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stratlint")
def cli() -> None:
    """Lint a go-to-market strategy kept as YAML: every roadmap item, message and play must
    trace to the one value definition, the one narrative and the primary priority."""


_STOPPED_BY: list[int] = []
"""The signal that stopped the run, when one did."""


def _stop(signum: int, frame: object) -> None:
    """SIGINT and SIGTERM end the run as Ctrl-C does: the command unwinds (loading workers
    are stopped, files are only ever replaced whole) and the exit status says which signal."""
    _STOPPED_BY.append(signum)
    raise KeyboardInterrupt


def main() -> None:
    """The ``stratlint`` command. It ends the process without Python's teardown: a run holds
    the whole strategy in memory, and freeing it object by object takes longer than the
    system takes to reclaim it (a twentieth of a second at 10,000 files). Output is flushed
    and cache writes are finished first; nothing else waits for the teardown."""
    assert isinstance(cli, _Cli)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    try:
        code = cli.status(None, "stratlint", None)
        finish_writes()
    except KeyboardInterrupt:  # a signal outside the command itself, e.g. while cache writes finish
        code = 128 + (_STOPPED_BY[-1] if _STOPPED_BY else signal.SIGINT)
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (stratlint check | head) has nobody left to tell.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code & 0xFF)


__all__ = ["COMMANDS", "EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "cli", "main"]
