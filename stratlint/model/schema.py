"""The published JSON Schemas (draft 2020-12), generated from the pydantic models.

``python -m stratlint_dev.generate`` writes them to schemas/; a test fails when the committed
files and the models differ.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import textwrap
from typing import Any

from pydantic import BaseModel

from stratlint.model import KINDS, all_models

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:stratlint:schema:1:{kind}"


def schema_filename(kind: str) -> str:
    return f"{kind}.schema.json"


def build_schema(kind: str) -> dict[str, Any]:
    _describe_fields()
    model = KINDS[kind]
    generated = model.model_json_schema(mode="validation")
    schema: dict[str, Any] = {"$schema": DIALECT, "$id": SCHEMA_ID.format(kind=kind)}
    schema.update(generated)
    return schema


def render_schema(kind: str) -> str:
    return json.dumps(build_schema(kind), indent=2, ensure_ascii=False) + "\n"


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
            written = _docstrings(owner)
            own = inspect.get_annotations(owner)
            for name, info in model.model_fields.items():
                if info.description is None and name in written and name in own:
                    info.description = written[name]
    for held in order:
        held.model_rebuild(force=True)


def _docstrings(model: type[BaseModel]) -> dict[str, str]:
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
