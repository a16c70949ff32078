"""An organisation's own JSON Schemas, checked on top of the built-in schema for a kind.

A team adds rules of its own ("every message names a persona") as a JSON Schema per
kind in the configuration. Each artifact's plain data is validated against it, and
every error is reported at the offending value through the source map.

The schema is the repository's, so on a pull request it is whoever opened it who wrote it.
Its references are looked up once, in files inside the repository only
(``stratlint.load.schema_refs``), and its patterns are matched by Rust's ``regex`` engine
(through pydantic-core, which stratlint's model already runs on), whose time grows in
proportion to the text, never exponentially as a backtracking engine's can: a pattern such
as ``^(a+)+$`` cannot hang a run. That engine has no look-around and no back-references; a
pattern that needs them is refused when the configuration is read.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic_core import SchemaError as PatternError
from pydantic_core import SchemaValidator, core_schema

from stratlint.load.explain import entry_label
from stratlint.load.schema_refs import SCHEMA_MAX_BYTES, LocalSchemas, SchemaNode, follow_references, refuse_late
from stratlint.load.source_map import SourceMap
from stratlint.paths import file_url_path
from stratlint.pointers import join_pointer
from stratlint.problems import LoadProblem, ProblemKind

_KEY_KEYWORDS = frozenset({"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"})


@dataclass(frozen=True, slots=True)
class ExtraSchema:
    """One organisation schema: where it came from, and its compiled validator."""

    kind: str
    source: str
    """The schema file, as the user named it; shown in findings."""
    schema: dict[str, Any]
    validator: Any = field(compare=False, repr=False)
    referenced: tuple[tuple[str, Any], ...] = ()
    """The files its references lead to, as read, by path inside the repository: like
    ``schema``, part of what the load cache keys on."""

    @classmethod
    def build(
        cls,
        kind: str,
        source: str,
        schema: Any,
        *,
        path: Path | None = None,
        boundary: Path | None = None,
        max_bytes: int = SCHEMA_MAX_BYTES,
    ) -> ExtraSchema:
        """Check ``schema`` against its metaschema, look up each of its references and
        compile each of its patterns; raise ValueError with a readable reason.

        ``path`` is the schema's file, against which relative references resolve; they may
        lead only to JSON files inside ``boundary``. Without a file, no reference leaves
        the schema."""
        if not isinstance(schema, dict):
            raise ValueError("the file does not hold a JSON Schema object")
        # Imported here: most runs have no extra schema, and jsonschema is slow to import.
        import jsonschema  # type: ignore[import-untyped]
        import referencing.jsonschema
        from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]
        from jsonschema_specifications import REGISTRY as PUBLISHED  # type: ignore[import-untyped]
        from referencing import Registry

        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            validator_class.check_schema(schema, format_checker=_metaschema_formats(validator_class))
            root = copy.deepcopy(schema)
        except SchemaError as error:
            where = "/".join(str(part) for part in error.absolute_path)
            raise ValueError(f"not a valid JSON Schema{f' at {where}' if where else ''}: {error.message}") from None
        except RecursionError:
            raise ValueError("not usable: it is nested too deeply to be checked") from None
        specification = referencing.jsonschema.specification_with(
            validator_class.ID_OF(validator_class.META_SCHEMA) or "", default=referencing.jsonschema.DRAFT202012
        )
        own_uri = path.as_uri() if path is not None else f"urn:stratlint:extra-schema:{kind}"
        declared = specification.id_of(root)
        base = urljoin(own_uri, declared) if declared else own_uri
        web = urlsplit(base).scheme in ("http", "https")
        retriever = LocalSchemas(
            boundary if path is not None else None,
            specification,
            folder=path.parent if path is not None else None,
            web_base=urljoin(base, ".") if web else None,
            max_bytes=max_bytes,
        )
        resource = specification.create_resource(root)
        # (mypy's attrs plugin does not see the alias of Registry's documented 'retrieve'.)
        looking = PUBLISHED.combine(Registry(retrieve=retriever).with_resource(base, resource))  # type: ignore[call-arg]
        try:
            nodes = follow_references(root, looking.resolver(base_uri=base), specification, frozenset(PUBLISHED))
        except RecursionError:
            raise ValueError("not usable: it is nested too deeply to be checked") from None
        _check_patterns(nodes, unevaluated="unevaluatedProperties" in validator_class.VALIDATORS)
        for node in nodes:
            # The dialect is the root's: a "$schema" further in would make jsonschema switch to
            # its own validator class there, which matches patterns with Python's re.
            if isinstance(node.contents, dict):
                node.contents.pop("$schema", None)
        registry = PUBLISHED.combine(
            Registry(retrieve=refuse_late)  # type: ignore[call-arg]
            .with_resources(retriever.fetched.items())
            .with_resource(base, resource)
        )
        linear = jsonschema.validators.extend(validator_class, _linear_keywords())
        # _resolver: the root's base is its file, so that relative references resolve against it.
        validator = linear(root, _resolver=registry.resolver(base_uri=base))
        referenced = tuple(
            sorted(
                ((_inside(uri, boundary), fetched.contents) for uri, fetched in retriever.fetched.items()),
                key=lambda item: item[0],
            )
        )
        return cls(kind, source, schema, validator, referenced)


def check_extra_schema(data: Any, schema: ExtraSchema, source_map: SourceMap) -> list[LoadProblem]:
    """Every way ``data`` breaks the organisation's schema, positioned at the offending value."""
    import referencing.exceptions

    problems = []
    try:
        for error in schema.validator.iter_errors(data):
            problems.append(_violation(data, schema, source_map, error))
    except (RecursionError, referencing.exceptions.Unresolvable) as error:
        # Guarded against when the schema is built (references are followed, circles refused);
        # if the schema still cannot be applied, it is this file's problem, not a crash.
        why = "its references go too deep" if isinstance(error, RecursionError) else "a reference leads to nothing"
        message = (
            f"This file could not be checked against your organisation's rule for {schema.kind} files "
            f"({schema.source}): {why}. Fix the schema."
        )
        span = source_map.span("")
        problems.append(LoadProblem.spanning(ProblemKind.EXTRA_SCHEMA_VIOLATION, message, span, "", "unusable-schema"))
    problems.sort(key=lambda problem: (problem.line, problem.column, problem.message))
    return problems


def _violation(data: Any, schema: ExtraSchema, source_map: SourceMap, error: Any) -> LoadProblem:
    tokens = list(error.absolute_path)
    about_keys = error.validator in _KEY_KEYWORDS
    span = source_map.span(join_pointer(*tokens), key=about_keys)
    # A schema's description states the organisation's rule in its own words; for a missing
    # or unexpected field, jsonschema's own message names the field, which says more.
    detail = None if about_keys or not isinstance(error.schema, dict) else error.schema.get("description")
    message = (
        f"{entry_label(data, tokens)} breaks your organisation's rule for {schema.kind} files "
        f"({schema.source}): {detail or error.message}"
    ).rstrip()
    if not message.endswith((".", "?", "!")):
        message += "."
    pointer = join_pointer(*tokens)
    subject = f"{pointer}:{error.validator}:{'/'.join(str(part) for part in error.schema_path)}"
    return LoadProblem.spanning(ProblemKind.EXTRA_SCHEMA_VIOLATION, message, span, pointer, subject)


# -- patterns in linear time -------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> SchemaValidator:
    return SchemaValidator(core_schema.str_schema(pattern=pattern, regex_engine="rust-regex"))


def _matches(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (JSON Schema patterns are not anchored)."""
    return _compiled(pattern).isinstance_python(text)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be matched in linear time, or None when it can."""
    try:
        _compiled(pattern)
    except PatternError as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        reason = next((line for line in lines if line.startswith("error:")), lines[-1] if lines else "")
        return reason.removeprefix("error:").removeprefix("SchemaError:").strip().rstrip(".") or "it does not compile"
    return None


def _check_patterns(nodes: list[SchemaNode], *, unevaluated: bool) -> None:
    uses: set[str] = set()
    for node in nodes:
        if not isinstance(node.contents, dict):
            continue
        uses |= node.contents.keys() & {"patternProperties", "unevaluatedProperties"}
        located = []
        if isinstance(pattern := node.contents.get("pattern"), str):
            located.append((pattern, "pattern"))
        if isinstance(keyed := node.contents.get("patternProperties"), dict):
            located.extend((key, "patternProperties") for key in keyed if isinstance(key, str))
        for each, keyword in located:
            problem = pattern_problem(each)
            if problem is not None:
                where = f"{node.where}/{keyword}" if node.where else keyword
                raise ValueError(
                    f"not usable: its pattern {each!r} at {where} cannot be checked: {problem}. "
                    "stratlint matches patterns with an engine that always finishes quickly, "
                    "which has no look-around and no back-references"
                )
    if unevaluated and uses == {"patternProperties", "unevaluatedProperties"}:
        # jsonschema works out which properties 'unevaluatedProperties' leaves by matching
        # 'patternProperties' with Python's re, which a pattern such as ^(a+)+$ can hang.
        raise ValueError(
            "not usable: stratlint cannot check 'unevaluatedProperties' in a schema that also has "
            "'patternProperties'; use 'additionalProperties' instead"
        )


@functools.cache
def _linear_keywords() -> dict[str, Any]:
    """jsonschema's keywords that match patterns, matching them in linear time instead."""
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not _matches(pattern, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    def pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for each, subschema in patterns.items():
            for key, value in instance.items():
                if _matches(each, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=each)

    def additional_properties(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        properties = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = [key for key in instance if key not in properties and not any(_matches(p, key) for p in patterns)]
        if validator.is_type(allowed, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], allowed, path=extra)
        elif not allowed and extras:
            if patterns:
                verb = "does" if len(extras) == 1 else "do"
                joined = ", ".join(repr(each) for each in sorted(extras))
                listed = ", ".join(repr(each) for each in sorted(patterns))
                yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
            else:
                names = sorted(extras, key=str)
                verb = "was" if len(names) == 1 else "were"
                joined = ", ".join(repr(each) for each in names)
                yield ValidationError(f"Additional properties are not allowed ({joined} {verb} unexpected)")

    return {"pattern": pattern, "patternProperties": pattern_properties, "additionalProperties": additional_properties}


def _metaschema_formats(validator_class: Any) -> Any:
    """The metaschema's format checks, but for "regex": patterns are compiled by the engine
    that matches them (``_check_patterns``), not by Python's re."""
    import jsonschema

    meta = jsonschema.validators.validator_for(validator_class.META_SCHEMA, default=validator_class)
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = {name: check for name, check in meta.FORMAT_CHECKER.checkers.items() if name != "regex"}
    return checker


def _inside(uri: str, boundary: Path | None) -> str:
    parts = urlsplit(uri)
    if boundary is not None and parts.scheme == "file":
        location = file_url_path(parts.path)
        if location.is_relative_to(boundary):
            return location.relative_to(boundary).as_posix()
    return uri
