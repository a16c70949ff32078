"""The published JSON Schemas (draft 2020-12), generated from the pydantic models, and how
a strategy file names one in its modeline.

There is one schema per kind (``roadmap.schema.json``) and one for any strategy file
(``strategy.schema.json``): it holds every kind's schema and applies the one the file's
``kind:`` names, so an editor that gives it to every YAML file under the strategy root
checks each file as stratlint does, by its kind and not by its name.

``python -m stratlint_dev.generate`` writes them into the package (``stratlint/schemas/``,
what ``stratlint schemas`` writes out) and into ``schemas/`` (the published copy in the
source tree); a test fails when either differs from the models.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import posixpath
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from stratlint import SCHEMA_BASE_URL
from stratlint.model import KINDS, all_models

DIALECT = "https://json-schema.org/draft/2020-12/schema"


ANY_KIND = "strategy"
"""The name of the schema for a strategy file of any kind (``strategy.schema.json``)."""

SCHEMA_SUFFIX = ".schema.json"


def schema_filename(name: str) -> str:
    """The file name of a kind's schema (``roadmap.schema.json``), or of ``ANY_KIND``'s."""
    return f"{name}{SCHEMA_SUFFIX}"


def schema_id(name: str) -> str:
    """The ``$id`` of a kind's schema, or of ``ANY_KIND``'s."""
    return SCHEMA_BASE_URL + schema_filename(name)


def schema_names() -> tuple[str, ...]:
    """Every published schema: one per kind, then the one for any kind."""
    return (*KINDS, ANY_KIND)


def build_schema(name: str) -> dict[str, Any]:
    """The schema of a kind, or (``ANY_KIND``) of a strategy file of any kind."""
    if name == ANY_KIND:
        return _any_kind_schema()
    _describe_fields()
    model = KINDS[name]
    generated = model.model_json_schema(mode="validation")
    _own_descriptions(generated)
    schema: dict[str, Any] = {"$schema": DIALECT, "$id": schema_id(name)}
    schema.update(generated)
    return schema


def render_schema(name: str) -> str:
    return json.dumps(build_schema(name), indent=2, ensure_ascii=False) + "\n"


def rendered_schemas() -> dict[str, str]:
    """Every published schema's file name and text."""
    return {schema_filename(name): render_schema(name) for name in schema_names()}


def _any_kind_schema() -> dict[str, Any]:
    """One schema for every kind: each kind's schema under ``$defs`` (with the models they
    share once), applied when ``kind:`` names it. It holds no reference to another file, so
    it works alone, wherever it is read from."""
    kinds = {kind: build_schema(kind) for kind in KINDS}
    shared: dict[str, Any] = {}
    for schema in kinds.values():
        for name, definition in schema.pop("$defs", {}).items():
            if shared.setdefault(name, definition) != definition:
                raise AssertionError(f"two models named {name} differ; the schema for any kind needs one")
    branches = []
    for kind, schema in kinds.items():
        name = KINDS[kind].__name__
        if name in shared:
            raise AssertionError(f"the model of kind {kind} shares its name with a model it holds: {name}")
        del schema["$schema"], schema["$id"]
        shared[name] = schema
        branches.append(
            {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": {"$ref": f"#/$defs/{name}"}}
        )
    header = kinds["value"]["properties"]
    names = ", ".join(KINDS)
    return {
        "$schema": DIALECT,
        "$id": schema_id(ANY_KIND),
        "title": "stratlint strategy file",
        "description": (
            "A strategy file of any kind: its 'kind' decides which fields it has, and the schema of that kind applies."
        ),
        "type": "object",
        "properties": {
            "stratlint": header["stratlint"],
            "kind": {
                "title": "Kind",
                "description": f"What the file is, which decides the fields it has: one of {names}.",
                "enum": list(KINDS),
                "type": "string",
            },
            "id": header["id"],
        },
        "required": ["stratlint", "kind", "id"],
        "allOf": branches,
        "$defs": shared,
    }


def _own_descriptions(schema: dict[str, Any]) -> None:
    """Give each optional field's value its field's own description. pydantic writes an
    optional field as ``anyOf: [<its type>, {"type": "null"}]`` with the field's description
    beside the ``anyOf``; when its type has a description of its own (a date, an id) or is a
    model (``$ref``), editors show that one on hover, the same for every field of the type.
    Each branch that would carry one carries the field's description instead."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for field in (node.get("properties") or {}).values():
                own = field.get("description") if isinstance(field, dict) else None
                for branch in field.get("anyOf", ()) if own else ():
                    if isinstance(branch, dict) and ("description" in branch or "$ref" in branch):
                        branch["description"] = own
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)


@functools.cache
def _describe_fields() -> None:
    """Give every field of the models the docstring written under it as its description,
    and rebuild the models (those they hold first) so the schemas carry them. What
    pydantic's ``use_attribute_docstrings`` does at import, done here, where it is needed."""
    order = all_models()
    for model in order:
        for owner in model.__mro__:
            if not (isinstance(owner, type) and issubclass(owner, BaseModel)) or owner is BaseModel:
                continue
            written = field_docstrings(owner)
            own = inspect.get_annotations(owner)
            for name, info in model.model_fields.items():
                if info.description is None and name in written and name in own:
                    info.description = written[name]
    for held in order:
        held.model_rebuild(force=True)


def field_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the string literal right under the field in the class body."""
    body = ast.parse(textwrap.dedent(inspect.getsource(model))).body[0]
    assert isinstance(body, ast.ClassDef)
    found = {}
    for statement, following in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


# -- modelines -----------------------------------------------------------------------------

MODELINE = "# yaml-language-server: $schema="
"""How a modeline starts: the comment that tells the YAML language server (and so the Red
Hat YAML extension) which schema a file has."""


def modeline(file_path: str, schema_path: str) -> str:
    """The modeline for the file at ``file_path`` that names the schema file at
    ``schema_path``, both relative to the repository root with forward slashes. The path in
    it is relative to the file's own folder, which is what the language server resolves it
    against: ``strategy/product/close.yaml`` and ``schemas/roadmap.schema.json`` give
    ``../../schemas/roadmap.schema.json``."""
    folder = posixpath.dirname(file_path) or "."
    return MODELINE + posixpath.relpath(schema_path, folder)


@dataclass(frozen=True, slots=True)
class Modeline:
    """A file's modeline: the schema it names, and where that is written."""

    target: str
    line: int
    """1-based."""
    column: int
    """1-based, in characters, where ``target`` starts."""


# What the language server takes for a modeline (yaml-language-server's modelineUtil): a
# comment before the document's content, '#', white space, then 'yaml-language-server:'
# or '$schema:'; the schema is what follows '$schema=' or '$schema:' up to white space.
_MODELINE_COMMENT = re.compile(r"#\s+(?:yaml-language-server\s*:|\$schema:)")
_MODELINE_SCHEMA = re.compile(r"\$schema(?:=|:[^\S\r\n]*)(\S+)")


def find_modeline(text: str) -> Modeline | None:
    """The first modeline among the comments before the file's content, as the language
    server finds it; None when there is none. Reads only the lines before the content."""
    start, number = 0, 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        number += 1
        line = text[start:end]
        stripped = line.lstrip(" \t\ufeff")
        if stripped.startswith("#"):
            if _MODELINE_COMMENT.match(stripped):
                found = _MODELINE_SCHEMA.search(stripped)
                if found is not None:
                    # Columns count characters of the line as editors show it: a byte order
                    # mark at the start of the file is not one of them.
                    shown = line[1:] if number == 1 and line.startswith("\ufeff") else line
                    column = len(shown) - len(stripped) + found.start(1) + 1
                    return Modeline(found.group(1), number, column)
        elif stripped.strip() and not stripped.startswith("%") and not _DOCUMENT_START.match(stripped):
            return None  # the content has begun: a comment after it is no modeline
        start = end + 1
    return None


_DOCUMENT_START = re.compile(r"---(?:\s|$)")


@dataclass(frozen=True, slots=True)
class SchemaReference:
    """What a modeline's schema is, read off its text (nothing is opened or fetched)."""

    kinds: frozenset[str] | None
    """The kinds whose files the schema it names is for; None: not a stratlint schema."""
    resolved: str | None = None
    """A relative path resolved against the file's folder: relative to the repository root,
    with forward slashes (it starts with '..' when it leads outside the repository)."""
    absolute: bool = False
    """An absolute path or a file: URI, which names a place on one machine only."""

    within: bool = True
    """The file itself is inside the repository (its path does not start with '..'), so
    whether the schema's path leaves the repository can be told."""

    @property
    def outside(self) -> bool:
        return self.within and self.resolved is not None and _climbs(self.resolved)


def _climbs(path: str) -> bool:
    return path == ".." or path.startswith("../")


def read_schema_reference(file_path: str, target: str) -> SchemaReference:
    """Read what the modeline ``target`` of the file at ``file_path`` (relative to the
    repository root) names, lexically: a relative path is resolved against the file's
    folder as the language server resolves it, and any schema is known by its file name
    (``roadmap.schema.json``; ``strategy.schema.json`` is for every kind), whether it is a
    path or a web address."""
    address = target.split("#", 1)[0]
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", address)
    if scheme is not None and len(scheme.group(1)) > 1:  # a URI (one letter is a Windows drive)
        if scheme.group(1).lower() == "file":
            return SchemaReference(_kinds_of(posixpath.basename(address)), absolute=True)
        path = re.sub(r"[?].*", "", address)
        return SchemaReference(_kinds_of(posixpath.basename(path)))
    if address.startswith("/") or re.match(r"[A-Za-z]:[\\/]", address):
        return SchemaReference(_kinds_of(posixpath.basename(address)), absolute=True)
    folder = posixpath.dirname(file_path)
    resolved = posixpath.normpath(posixpath.join(folder, address)) if address else folder or "."
    return SchemaReference(_kinds_of(posixpath.basename(resolved)), resolved=resolved, within=not _climbs(file_path))


def _kinds_of(filename: str) -> frozenset[str] | None:
    if not filename.endswith(SCHEMA_SUFFIX):
        return None
    name = filename[: -len(SCHEMA_SUFFIX)]
    if name == ANY_KIND:
        return frozenset(KINDS)
    return frozenset({name}) if name in KINDS else None
