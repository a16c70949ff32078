"""An organisation's own JSON Schemas, checked on top of the built-in schema for a kind.

A team adds rules of its own ("every message names a persona") as a JSON Schema per
kind in the configuration. Each artifact's plain data is validated against it, and
every error is reported at the offending value through the source map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stratlint.load.explain import entry_label
from stratlint.load.source_map import SourceMap, join_pointer
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

    @classmethod
    def build(cls, kind: str, source: str, schema: Any) -> ExtraSchema:
        """Check ``schema`` against its metaschema; raise ValueError with a readable reason."""
        if not isinstance(schema, dict):
            raise ValueError("the file does not hold a JSON Schema object")
        # Imported here: most runs have no extra schema, and jsonschema is slow to import.
        import jsonschema  # type: ignore[import-untyped]
        from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]

        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            validator_class.check_schema(schema)
        except SchemaError as error:
            where = "/".join(str(part) for part in error.absolute_path)
            raise ValueError(f"not a valid JSON Schema{f' at {where}' if where else ''}: {error.message}") from None
        return cls(kind, source, schema, validator_class(schema))


def check_extra_schema(data: Any, schema: ExtraSchema, source_map: SourceMap) -> list[LoadProblem]:
    """Every way ``data`` breaks the organisation's schema, positioned at the offending value."""
    problems = []
    for error in schema.validator.iter_errors(data):
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
        problems.append(LoadProblem.spanning(ProblemKind.EXTRA_SCHEMA_VIOLATION, message, span, pointer, subject))
    problems.sort(key=lambda problem: (problem.line, problem.column, problem.message))
    return problems
