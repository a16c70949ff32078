"""Where an organisation's schema may lead: only to JSON files inside the repository.

An extra schema is a file of the repository, and on a pull request it is whoever opened it
who wrote it. Its ``$ref``s are looked up once, when the configuration is read, in a
``referencing`` registry whose only way to fetch is ``LocalSchemas``: a JSON file inside the
repository (inside the configuration's folder when there is no repository), read through
``read_bounded``. A reference to the network, to a file elsewhere on the machine or to a
name nothing defines is refused, and so is a reference that points to nothing or a chain of
references that goes round in a circle, each with a reason in plain words. A run never
fetches from the network, never hangs on a FIFO and never recurses without end.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from stratlint.load.read import read_bounded
from stratlint.paths import file_url_path, leads_outside
from stratlint.problems import LoadProblem, ProblemKind

if TYPE_CHECKING:  # referencing is imported where a schema is read: most runs have none
    from referencing import Resource, Specification
    from referencing._core import Resolver
    from referencing.exceptions import Unresolvable

SCHEMA_MAX_BYTES = 16 * 1024 * 1024
"""The size limit of a schema file and of each file its references lead to."""


class UnusableSchemaFile(Exception):
    """Why a schema file cannot be used, in words that follow its name: "does not exist"."""


class RefusedReference(Exception):
    """Why a reference is not followed, in words that follow it: "leads to ..."."""


def locate(path: Path, boundary: Path) -> Path:
    """``path`` with every link followed, when that stays inside ``boundary``."""
    escape = leads_outside(path, boundary)
    if escape is None:
        return Path(os.path.realpath(path))
    where = f"outside the repository ({boundary.as_posix()}); stratlint reads schemas only from files inside it"
    if escape.through_link:
        raise UnusableSchemaFile(f"leads through a link to {escape.resolved.as_posix()}, {where}")
    raise UnusableSchemaFile(f"is {where}")


def read_json(path: Path, max_bytes: int = SCHEMA_MAX_BYTES) -> Any:
    """The JSON document in ``path``, read within bounds and only from a regular file."""
    data = read_bounded(str(path), max_bytes)
    if isinstance(data, LoadProblem):
        if data.kind is ProblemKind.FILE_TOO_LARGE:
            raise UnusableSchemaFile(f"is larger than {max_bytes:,} bytes, the size limit for a schema")
        if not os.path.lexists(path):
            raise UnusableSchemaFile("does not exist")
        if data.subject == "not a regular file":
            raise UnusableSchemaFile("is not a regular file (it is a folder, a FIFO or a device), so it is not read")
        raise UnusableSchemaFile(f"cannot be read: {data.message.removeprefix('The file cannot be read: ')}")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UnusableSchemaFile("is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise UnusableSchemaFile(f"is not valid JSON (line {error.lineno}: {error.msg})") from None
    except RecursionError:
        raise UnusableSchemaFile("is nested too deeply to be read") from None


@dataclass(slots=True)
class LocalSchemas:
    """The retrieve function of the registry a schema's references are looked up in.

    It fetches nothing but JSON files inside ``boundary``: ``file:`` URIs and relative
    references (resolved against the schema file), and URIs under the schema's own ``$id``
    when that is a web address (``https://example.com/schemas/common.json`` next to
    ``https://example.com/schemas/messaging.json`` is the file ``common.json`` next to the
    schema file). What it fetched is kept in ``fetched``, so that validation never fetches.
    """

    boundary: Path | None
    """None when the schema has no file: then nothing is fetched."""
    specification: Specification[Any]
    folder: Path | None = None
    """The schema file's folder, where URIs under ``web_base`` lead."""
    web_base: str | None = None
    """The folder of the schema's own ``$id``, when that is an http or https address."""
    max_bytes: int = SCHEMA_MAX_BYTES
    fetched: dict[str, Resource[Any]] = field(default_factory=dict)

    def __call__(self, uri: str) -> Resource[Any]:
        if uri in self.fetched:
            return self.fetched[uri]
        path = self._path_of(uri)
        assert self.boundary is not None
        try:
            located = locate(path, self.boundary)
            shown = located.relative_to(self.boundary).as_posix() or "."
            if located.suffix != ".json":
                raise UnusableSchemaFile("is not a .json file; a reference may lead only to a JSON file")
            contents = read_json(located, self.max_bytes)
        except UnusableSchemaFile as reason:
            raise RefusedReference(f"leads to {_shown(path, self.boundary)}, which {reason}") from None
        if not isinstance(contents, dict | bool):
            raise RefusedReference(f"leads to {shown}, which does not hold a JSON Schema object")
        from referencing import Resource

        resource = Resource.from_contents(contents, default_specification=self.specification)
        self.fetched[uri] = resource
        return resource

    def _path_of(self, uri: str) -> Path:
        parts = urlsplit(uri)
        if self.boundary is not None:
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                return file_url_path(parts.path)
            if self.web_base is not None and self.folder is not None and uri.startswith(self.web_base):
                return self.folder / unquote(urlsplit(uri[len(self.web_base) :]).path)
        if parts.scheme in ("http", "https", "ftp"):
            raise RefusedReference(
                f"leads to {uri}, on the network; stratlint never fetches schemas from the network: "
                "keep the schema in the repository and refer to it by a relative path"
            )
        raise RefusedReference(
            f"leads to {uri}, which is not a file in the repository; "
            "a reference may lead only to a JSON file inside it, by a relative path"
        )


def refuse_late(uri: str) -> Resource[Any]:
    """The retrieve function once every reference has been looked up: validation never fetches."""
    raise RefusedReference(f"leads to {uri}, which was not looked up when the configuration was read")


def _shown(path: Path, boundary: Path) -> str:
    lexical = Path(os.path.abspath(path))
    return lexical.relative_to(boundary).as_posix() if lexical.is_relative_to(boundary) else lexical.as_posix()


# How each keyword holds subschemas, and whether they apply to the same value ("in place",
# so that a loop through them never ends) or to a part of it (an item, a property).
_IN_PLACE_ONE = frozenset({"not", "if", "then", "else"})
_IN_PLACE_LIST = frozenset({"allOf", "anyOf", "oneOf"})
_IN_PLACE_MAP = frozenset({"dependentSchemas", "dependencies"})
_PART_ONE = frozenset(
    {
        "items",
        "additionalItems",
        "contains",
        "additionalProperties",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contentSchema",
    }
)
_PART_LIST = frozenset({"prefixItems", "items"})
_PART_MAP = frozenset({"properties", "patternProperties", "$defs", "definitions"})
_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")


@dataclass(slots=True)
class SchemaNode:
    """One schema object reached from the root, and where: for messages and for checks of
    its keywords (``ExtraSchema`` checks every ``pattern``)."""

    contents: Any
    where: str
    in_place: list[tuple[int, str | None]] = field(default_factory=list)
    """The nodes applied to the same value, by ``id``, with the reference that leads there."""


def follow_references(
    root: Any, resolver: Resolver[Any], specification: Specification[Any], trusted: frozenset[str]
) -> list[SchemaNode]:
    """Every schema object the root reaches, each ``$ref`` looked up once; raise ValueError
    when one points to nothing or cannot be fetched, or when references go round in a
    circle. References to ``trusted`` URIs (the published metaschemas) are not followed."""
    from referencing.exceptions import Unresolvable

    nodes: dict[int, SchemaNode] = {}
    stack: list[tuple[Any, Resolver[Any], str, str]] = [(root, resolver, "", "")]
    while stack:
        contents, here, base, where = stack.pop()
        if id(contents) in nodes:
            continue
        node = nodes[id(contents)] = SchemaNode(contents, where)
        if not isinstance(contents, dict):
            continue
        for keyword in _REFERENCES:
            ref = contents.get(keyword)
            if not isinstance(ref, str):
                continue
            target_uri = urldefrag(urljoin(base, ref))[0] if not ref.startswith("#") else base
            if target_uri in trusted:
                continue
            try:
                resolved = here.lookup(ref)
            except Unresolvable as error:
                raise ValueError(f"not usable: its reference {ref!r} {_at(where)} {_why(error)}") from None
            node.in_place.append((id(resolved.contents), ref))
            stack.append((resolved.contents, resolved.resolver, target_uri, ref))
        children = list(_children(contents))
        for child, part, in_place in reversed(children):
            if not isinstance(child, dict | bool):
                continue
            if in_place:
                node.in_place.append((id(child), None))
            inner, child_base = here, base
            if isinstance(child, dict):
                resource = specification.create_resource(child)
                inner = here.in_subresource(resource)
                declared = resource.id()
                child_base = urljoin(base, declared) if declared else base
            stack.append((child, inner, child_base, f"{where}/{part}" if where else part))
    _refuse_circles(nodes)
    return list(nodes.values())


def _children(schema: dict[str, Any]) -> Iterator[tuple[Any, str, bool]]:
    for keyword, value in schema.items():
        if keyword in _IN_PLACE_ONE or (keyword in _PART_ONE and not isinstance(value, list)):
            yield value, keyword, keyword in _IN_PLACE_ONE
        elif (keyword in _IN_PLACE_LIST or keyword in _PART_LIST) and isinstance(value, list):
            for index, item in enumerate(value):
                yield item, f"{keyword}/{index}", keyword in _IN_PLACE_LIST
        elif (keyword in _IN_PLACE_MAP or keyword in _PART_MAP) and isinstance(value, dict):
            for name, item in value.items():
                yield item, f"{keyword}/{name}", keyword in _IN_PLACE_MAP


def _refuse_circles(nodes: dict[int, SchemaNode]) -> None:
    """Raise ValueError when schemas applied to the same value lead back to themselves: a
    validator would follow them round for ever."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in nodes:
        if start in state:
            continue
        path: list[tuple[int, str | None]] = [(start, None)]
        edges = [iter(nodes[start].in_place)]
        state[start] = 1
        while edges:
            step = next(edges[-1], None)
            if step is None:
                state[path.pop()[0]] = 2
                edges.pop()
                continue
            target, ref = step
            if state.get(target) == 1:
                first = next(index for index, (node, _) in enumerate(path) if node == target)
                refs = [each for _, each in path[first + 1 :]] + [ref]
                shown = " → ".join(repr(each) for each in refs if each is not None)
                raise ValueError(
                    f"not usable: its references go round in a circle ({shown}) {_at(nodes[target].where)}, "
                    "so nothing could ever be checked against them"
                )
            if target in state or target not in nodes:
                continue
            state[target] = 1
            path.append((target, ref))
            edges.append(iter(nodes[target].in_place))


def _at(where: str) -> str:
    return f"at {where}" if where else "at the top of the schema"


def _why(error: Unresolvable) -> str:
    from referencing.exceptions import NoSuchAnchor, PointerToNowhere

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, RefusedReference):
            return str(cause)
        cause = cause.__cause__
    if isinstance(error, NoSuchAnchor):
        return f"leads to nothing: the schema has no anchor named {error.anchor!r}"
    if isinstance(error, PointerToNowhere):
        return "leads to nothing: the schema has no such part"
    return "leads to nothing stratlint knows"
