"""The one way stratlint runs git.

In CI on a pull request every file of the repository is the proposer's, ``.git/config``
included, so git runs here with every setting that would make it start another program
switched off: the file system monitor, hooks, external diff and text conversion drivers,
pagers, editors, credential helpers and network transports. The system configuration is
not read, nothing may prompt, stdin is closed (at once, or once git has its input), and
every call has a time limit.

Discovery (``stratlint.load``) and the revision readers (``stratlint.vcs``) both call git,
and discovery comes before ``vcs`` in the pipeline, so the runner stands on its own here.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

TIMEOUT = 120
"""Seconds any one git command may take."""

SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.editor=true",
    "core.askPass=true",
    "core.sshCommand=false",
    "diff.external=",
    "credential.helper=",
    "protocol.allow=never",
)
"""Settings given on the command line, where they take precedence over the repository's own."""

NO_EXTERNAL_DIFF: tuple[str, ...] = ("--no-ext-diff", "--no-textconv")
_DIFF_COMMANDS = frozenset({"diff", "diff-tree", "diff-index", "diff-files", "log", "show", "whatchanged"})
"""Commands that would run a diff or text conversion driver unless told not to."""

_OVERRIDES: Mapping[str, str] = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",  # never wait for a password
    "GIT_ASKPASS": "true",
    "SSH_ASKPASS": "true",
    "GIT_PAGER": "cat",
    "GIT_EDITOR": "true",
    "GIT_OPTIONAL_LOCKS": "0",  # a reader must not take the index lock
}
_DROPPED = frozenset({"GIT_EXTERNAL_DIFF", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND"})


def environment() -> dict[str, str]:
    """The environment git runs in: this process's, less what would start another program."""
    env = {name: value for name, value in os.environ.items() if name not in _DROPPED}
    env.update(_OVERRIDES)
    return env


def command(repo_root: Path, *args: str) -> list[str]:
    """The full command line for ``git <args>`` in ``repo_root``. Pathspecs are literal."""
    argv = ["git", "-C", str(repo_root), "--literal-pathspecs"]
    for setting in SAFE_CONFIG:
        argv += ["-c", setting]
    if args and args[0] in _DIFF_COMMANDS:
        return [*argv, args[0], *NO_EXTERNAL_DIFF, *args[1:]]
    return [*argv, *args]


def run(
    repo_root: Path, *args: str, input_data: bytes | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git <args>`` in ``repo_root`` to completion, capturing its output. Raises
    FileNotFoundError when git is not installed, OSError or SubprocessError (a timeout)
    when it cannot be run; a failing command is a non-zero return code, not an exception."""
    return subprocess.run(
        command(repo_root, *args),
        input=b"" if input_data is None else input_data,  # stdin closed at once, or after the input
        capture_output=True,
        timeout=timeout,
        check=False,
        env=environment(),
    )


def start(repo_root: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start ``git <args>`` in ``repo_root`` with pipes to its stdin and stdout (for
    ``cat-file --batch``); its stderr is discarded. The caller bounds how long it runs."""
    return subprocess.Popen(
        command(repo_root, *args),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment(),
    )
