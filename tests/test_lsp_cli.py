"""``stratlint lsp`` as a command: without the lsp extra it says so in one line, and no
other command pays for it (tests/test_startup.py checks that none imports pygls)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT, invoke

WITHOUT_PYGLS = """
import sys
sys.modules["pygls"] = None  # as if the extra were not installed: importing it fails
from stratlint.cli import main
sys.argv = ["stratlint", "lsp"]
main()
"""


def test_without_the_extra_the_command_names_it_in_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    completed = subprocess.run(
        [sys.executable, "-c", WITHOUT_PYGLS], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.strip().splitlines() == [
        "stratlint: the language server needs the lsp extra, which is not installed: pip install 'stratlint[lsp]'"
    ]


def test_the_command_is_listed() -> None:
    result = invoke("--help")
    assert " lsp " in result.output
    assert "pip install 'stratlint[lsp]'" in invoke("lsp", "--help").output
