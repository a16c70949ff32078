"""The ``cel`` check: an expression in CEL (the Common Expression Language), for what the
built-in checks cannot say, evaluated by cel-python (the ``cel`` extra).

CEL has no statements, no loops but over the data it is given, no I/O and no way to name a
Python object: an expression sees plain data (``entry``, ``value``, ``file``, ``today``) and
gives true or false. On top of that, this module bounds what an expression may cost, so a
hostile policy can neither run code, read a file, reach the network nor hang a run:

- its text is at most ``MAX_LENGTH`` characters, and its parse tree at most ``MAX_DEPTH``
  deep (no deep recursion when it is evaluated);
- it runs only on celpy's tree-walking interpreter (never its transpiler, which would hand
  generated Python to ``exec``), with no function beyond CEL's own;
- the few of those that take a time zone, the one thing that reads a file (the zone
  database), refuse one;
- an evaluation takes at most ``MAX_STEPS`` steps, and no value it builds holds more than
  ``MAX_SIZE`` characters or items: a comprehension inside a comprehension, or a text
  doubled at each step of a ``reduce``, stops there with a finding.

The module imports cel-python: only a policy with a ``cel`` check imports it
(stratlint.custom.checks), and says how to install it when it is missing.
"""

from __future__ import annotations

import datetime
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import celpy
from celpy import evaluation
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, Evaluator

from stratlint.custom.model import CEL_MAX_LENGTH as MAX_LENGTH

MAX_DEPTH = 64
"""The deepest parse tree an expression may have (nested parentheses, calls, operators)."""
MAX_STEPS = 2_000
"""The most steps (nodes of the parse tree evaluated) one evaluation may take."""
MAX_SIZE = 10_000
"""The most characters of a text, or items of a list or map, one evaluation may build."""
ZONED = (
    "getDate",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getFullYear",
    "getMonth",
    "getHours",
    "getMilliseconds",
    "getMinutes",
    "getSeconds",
)
"""CEL's functions that take a time zone's name."""


class CelProblem(Exception):
    """An expression that cannot be compiled, or an evaluation that fails; the message says why."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled CEL expression, ready to evaluate on each entry."""

    text: str
    program: Any
    """celpy's Runner."""

    def evaluate(self, variables: Mapping[str, Any]) -> bool:
        """The expression's value on plain data (JSON-like): True or False; CelProblem when
        it fails or gives anything else."""
        try:
            activation = {name: json_to_cel(value) for name, value in variables.items()}
            result = self.program.evaluate(activation)
        except _Exceeded as exceeded:
            raise CelProblem(str(exceeded)) from None
        except CELEvalError as error:
            raise CelProblem(_said(error)) from None
        except RecursionError:
            raise CelProblem("it nests too deeply to evaluate") from None
        except (TypeError, ValueError, KeyError, ArithmeticError, AttributeError, IndexError) as error:
            raise CelProblem(f"it fails: {error}") from None
        if isinstance(result, (bool, celpy.celtypes.BoolType)):
            return bool(result)
        return _not_bool(result)


def _not_bool(result: Any) -> bool:
    if isinstance(result, str):
        shown = f"the text '{result}'"
    elif isinstance(result, (list, dict)):
        shown = "a list" if isinstance(result, list) else "a map"
    else:
        shown = "null" if result is None else str(result)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise CelProblem(f"it gives {shown}, not true or false")


def _said(error: Exception) -> str:
    """A CEL error in one short line (celpy's quote the whole activation)."""
    text = str(error.args[0]) if error.args else str(error)
    text = text.split(" (in activation", 1)[0].split("\n", 1)[0]
    return text if len(text) <= 200 else text[:197] + "..."


def compile_expression(text: str) -> Expression:
    """``text`` compiled; CelProblem when it is too long, cannot be read, or nests too deeply."""
    if len(text) > MAX_LENGTH:
        raise CelProblem(f"the expression is {len(text)} characters long; write at most {MAX_LENGTH}")
    environment = _environment()
    try:
        tree = environment.compile(text)
    except CELParseError as error:
        column = getattr(error, "column", None)
        where = f" at character {column}" if isinstance(column, int) else ""
        raise CelProblem(f"the expression cannot be read{where}: {_said(error)}") from None
    except RecursionError:
        raise CelProblem(f"the expression nests too deeply; at most {MAX_DEPTH} levels") from None
    if _depth(tree) > MAX_DEPTH:
        raise CelProblem(f"the expression nests too deeply; at most {MAX_DEPTH} levels")
    return Expression(text, environment.program(tree, functions=_functions()))


def _depth(tree: Any) -> int:
    """The depth of a lark tree, without recursion."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += [(child, depth + 1) for child in getattr(node, "children", ()) if hasattr(child, "children")]
    return deepest


_ENVIRONMENT: list[Any] = []


def _environment() -> Any:
    """One celpy Environment for the process, on a bounded interpreter. celpy raises the
    recursion limit when it makes one; the limit is put back."""
    if not _ENVIRONMENT:
        # celpy logs what it passes on; a run says it in a finding instead.
        logging.getLogger("celpy").addHandler(logging.NullHandler())
        limit = sys.getrecursionlimit()
        try:
            _ENVIRONMENT.append(celpy.Environment(runner_class=_bounded_runner()))
        finally:
            sys.setrecursionlimit(limit)
    return _ENVIRONMENT[0]


def _functions() -> dict[str, Callable[..., Any]]:
    """CEL's own functions, but those that take a time zone refuse one."""

    def zoneless(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(value: Any, *zone: Any) -> Any:
            if zone:
                return evaluation.CELEvalError(f"{name}() takes no time zone here; times are in UTC")
            return function(value)

        call.__name__ = name
        return call

    return {name: zoneless(name, evaluation.base_functions[name]) for name in ZONED}


class _Exceeded(Exception):
    """An evaluation went past its bounds."""


class _Budget:
    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = 0


def _bounded_runner() -> type:
    """celpy's interpreter, counting its steps and measuring what it builds."""

    class BoundedEvaluator(Evaluator):
        def __init__(self, ast: Any, activation: Any, budget: _Budget | None = None) -> None:
            super().__init__(ast, activation)
            self.budget = budget or _Budget()

        def sub_evaluator(self, ast: Any) -> Evaluator:
            return BoundedEvaluator(ast, self.activation, self.budget)

        def _visit_tree(self, tree: Any) -> Any:  # every node, as visit and visit_children reach it
            budget = self.budget
            budget.steps += 1
            if budget.steps > MAX_STEPS:
                raise _Exceeded(f"it takes more than {MAX_STEPS} steps; write a simpler expression")
            result = super()._visit_tree(tree)
            if isinstance(result, (str, bytes, list, dict)) and len(result) > MAX_SIZE:
                raise _Exceeded(f"it builds a value of more than {MAX_SIZE} characters or items")
            return result

    class BoundedRunner(celpy.InterpretedRunner):
        def evaluate(self, context: Any) -> Any:
            return BoundedEvaluator(self.ast, self.new_activation()).evaluate(context)

    return BoundedRunner


def variables(entry: Mapping[str, Any], value: Any, path: str, kind: str, today: datetime.date) -> dict[str, Any]:
    """What an expression sees: the entry's fields, the checked field's value (null when the
    rule names no field, or the field is not set), the file and the day of the run."""
    return {
        "entry": entry,
        "value": value,
        "file": {"path": path, "kind": kind},
        "today": today.isoformat(),
    }
