"""stratlint lsp."""

from __future__ import annotations

import click

from stratlint import StratlintError
from stratlint.cli import EXIT_CLEAN, cli
from stratlint.cli.options import debug_option


@cli.command("lsp")
@click.option("--stdio", is_flag=True, help="Speak over standard input and output (the default, and the only way).")
@debug_option
def lsp_command(stdio: bool) -> int:
    """Run the language server: findings as you type, go to definition, find references,
    hover, symbols, completion of ids and fields, and quick fixes, for any editor that
    speaks the Language Server Protocol. It serves the workspace folder the editor opens,
    configured as 'stratlint check' run there is. Needs the lsp extra:
    pip install 'stratlint[lsp]'."""
    return run_lsp()


def run_lsp() -> int:
    try:
        import pygls  # noqa: F401  (the extra's one dependency: a missing extra is one line)
    except ImportError:
        raise StratlintError(
            "the language server needs the lsp extra, which is not installed: pip install 'stratlint[lsp]'"
        ) from None
    from stratlint.lsp.server import serve

    serve()
    return EXIT_CLEAN
