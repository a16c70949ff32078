"""The shape of the package: data flows one way, and each stage imports only what comes
before it. Read from the source (an AST walk), so a new import that breaks the shape fails
here, not in a review."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from conftest import PROJECT

PACKAGE = PROJECT / "stratlint"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _parsed(path: Path) -> ast.Module:
    """The syntax tree of ``path``, parsed once for every test here (about 150 files)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    """Every stratlint module ``path`` imports, at any depth of the file (a function-level
    import counts as much as one at the top)."""
    tree = _parsed(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "stratlint"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "stratlint":
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (PROJECT / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    PROJECT / Path(*candidate.split("."))
                ).is_dir()
                found.add(candidate if is_module else node.module)
    return found


class _Modules(Mapping[str, set[str]]):
    """Every module of the package: what it imports. Read when a test first asks, not when
    the file is collected (by every xdist worker, whichever runs these tests)."""

    @functools.cached_property
    def _read(self) -> dict[str, set[str]]:
        return {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}

    def __getitem__(self, module: str) -> set[str]:
        return self._read[module]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read)

    def __len__(self) -> int:
        return len(self._read)


MODULES = _Modules()

_AFTER_GRAPH = (
    "stratlint.rules",
    "stratlint.analysis",
    "stratlint.report",
    "stratlint.speed",
    "stratlint.lsp",
    "stratlint.cli",
)
FORBIDDEN = {
    "stratlint.model": ("stratlint.load", "stratlint.graph", *_AFTER_GRAPH),
    "stratlint.load": ("stratlint.graph", *_AFTER_GRAPH),
    "stratlint.graph": _AFTER_GRAPH,
    "stratlint.rules": (
        "stratlint.load",
        "stratlint.report",
        "stratlint.analysis",
        "stratlint.speed",
        "stratlint.lsp",
        "stratlint.cli",
    ),
    "stratlint.report": (
        "stratlint.rules",
        "stratlint.load",
        "stratlint.graph",
        "stratlint.speed",
        "stratlint.lsp",
        "stratlint.cli",
    ),
    "stratlint.analysis.engine": ("stratlint.speed", "stratlint.vcs", "stratlint.cli", "stratlint.report"),
    # The language server comes after the run and before the commands: it runs the engine's
    # steps itself, and nothing before it knows it is there.
    "stratlint.analysis": ("stratlint.lsp",),
    "stratlint.speed": ("stratlint.lsp",),
    "stratlint.lsp": ("stratlint.cli",),
    # Edits work on the graph and the files; the run (analysis) and the commands call them.
    "stratlint.edit": ("stratlint.rules", "stratlint.analysis", "stratlint.report", "stratlint.speed", "stratlint.cli"),
    # The formatter reads files (load) by the model; the scaffold writes files by the model and
    # the formatter. Neither reaches the graph, the rules or anything after them.
    "stratlint.format": ("stratlint.graph", "stratlint.drift", "stratlint.vcs", *_AFTER_GRAPH),
    "stratlint.scaffold": ("stratlint.load", "stratlint.graph", "stratlint.drift", "stratlint.vcs", *_AFTER_GRAPH),
}
"""For each part of the package, what it must never import: what comes after it in the
pipeline, and for rules and reporters, the stages they must not reach around."""


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_no_stage_imports_what_comes_after_it(part: str) -> None:
    offences = [
        f"{module} imports {imported}"
        for module, imports in MODULES.items()
        if _within(module, part)
        for imported in sorted(imports)
        if any(_within(imported, banned) for banned in FORBIDDEN[part])
    ]
    assert offences == []


def test_the_engine_imports_at_most_eight_internal_modules() -> None:
    imports = MODULES["stratlint.analysis.engine"]
    assert len(imports) <= 8, sorted(imports)


def test_only_the_command_line_exits_or_prints() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        if _within(module, "stratlint.cli"):
            continue
        for node in ast.walk(_parsed(path)):
            if isinstance(node, ast.Call):
                function = node.func
                name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
                owner = getattr(getattr(function, "value", None), "id", "")
                if name == "print" or (owner, name) in {("sys", "exit"), ("click", "echo")}:
                    offences.append(f"{module}:{node.lineno} calls {owner + '.' if owner else ''}{name}")
    assert offences == []


def test_the_command_line_exits_once() -> None:
    calls = [
        f"{_module_name(path)}:{node.lineno}"
        for path in sorted((PACKAGE / "cli").rglob("*.py"))
        for node in ast.walk(_parsed(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "exit"
        and getattr(node.func.value, "id", "") == "sys"
    ]
    assert len(calls) == 1, calls


def test_development_tools_are_not_in_the_package() -> None:
    assert not any(_within(module, "stratlint_dev") for imports in MODULES.values() for module in imports)
    assert not (PACKAGE / "generate.py").exists()


def test_only_the_language_servers_wiring_imports_pygls() -> None:
    """The server's logic is plain functions of the strategy (``stratlint.lsp``, on the
    protocol's types alone); pygls is the wiring's, and the command imports it only when run."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for node in ast.walk(_parsed(path)):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "pygls" for name in names) and module != "stratlint.lsp.server":
                offenders.append(module)
    assert offenders == ["stratlint.cli.lsp"]
    command = _parsed(PACKAGE / "cli" / "lsp.py")
    top = {alias.name for node in command.body if isinstance(node, ast.Import) for alias in node.names}
    top |= {node.module for node in command.body if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.startswith(("pygls", "lsprotocol", "stratlint.lsp")) for name in top)
