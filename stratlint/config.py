"""Configuration: one file, the command line on top, turned into engine Settings in one place.

The file is found by walking up from the target folder; in each folder the first of
``.stratlint.toml``, ``stratlint.toml`` and ``pyproject.toml`` (only with a
``[tool.stratlint]`` table) wins. ``--config FILE`` skips the search. Keys are kebab-case:

    [tool.stratlint]
    root = "strategy"                      # relative to the configuration file
    select = ["ALL"]                       # codes, code prefixes (SL2) or names
    extend-select = []
    ignore = ["SL304"]
    severity = { SL302 = "error", orphan-node = "info" }
    per-path-ignores = { "strategy/archive/*" = ["SL3"] }   # globs on repository paths
    fail-on = "error"
    max-file-size = 1048576                # bytes
    extra-schemas = { messaging = "schemas/org-messaging.json" }
    baseline = ".stratlint-baseline.json"

    [tool.stratlint.rules.stale-proof-point]   # a rule's options, by name or code
    max-age-months = 12

On the command line, ``--select``, ``--fail-on``, ``--max-file-size`` and ``--baseline``
replace the file's value; ``--extend-select``, ``--ignore``, ``--severity`` and
``--per-path-ignores`` add to it. Every problem raises ConfigError, whose one-line
message names the file and the key.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stratlint import DOCS_URL, StratlintError
from stratlint.analysis.baseline import BaselineError, load_baseline
from stratlint.analysis.policy import Policy, selector_strength
from stratlint.analysis.settings import Settings
from stratlint.diagnostics import Severity
from stratlint.load.discover import find_repository_root
from stratlint.load.explain import explain
from stratlint.load.extra_schema import ExtraSchema
from stratlint.load.read import DEFAULT_MAX_BYTES, read_bounded, unread_reason
from stratlint.model import DEFAULT_FUNCTIONS, KINDS, PLAN_KINDS, Functions
from stratlint.model.common import ID_PATTERN
from stratlint.paths import leads_outside
from stratlint.rules import BUILT_IN, BY_CODE, RULES, Rule, RuleSet
from stratlint.rules.options import RuleOptions

CONFIG_FILES = (".stratlint.toml", "stratlint.toml", "pyproject.toml")
"""Looked for in this order in each folder, from the target folder up."""

DEFAULT_ROOT = Path("strategy")
DEFAULT_SOURCE = "default"
COMMAND_LINE = "command line"

Level = Literal["error", "warning", "info"]


class ConfigError(StratlintError):
    """A configuration problem: exit status 2, one line naming the file and the key."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class FunctionTable(BaseModel):
    """One function of ``[functions]``: how reports name it, and which plan kinds it owns."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    name: Annotated[str, Field(min_length=1)] | None = None
    owns: list[Literal["roadmap", "messaging", "playbook"]] = Field(default_factory=list)


FunctionId = Annotated[str, Field(pattern=ID_PATTERN)]


class ConfigModel(BaseModel):
    """The configuration file's keys, as written in ``[tool.stratlint]`` or stratlint.toml."""

    model_config = ConfigDict(strict=True, extra="forbid", alias_generator=_kebab, frozen=True, defer_build=True)

    root: str | None = None
    select: list[str] | None = None
    extend_select: list[str] | None = None
    ignore: list[str] | None = None
    severity: dict[str, Level] | None = None
    per_path_ignores: dict[str, list[str]] | None = None
    fail_on: Level | None = None
    max_file_size: Annotated[int, Field(gt=0)] | None = None
    max_proof_age_months: int | None = None
    min_primary_share: float | None = None
    fiscal_year_start: str | None = None
    """The first day of the fiscal year, 'MM-DD': horizons may then be fiscal quarters ('FY27-Q3')."""
    fiscal_year_named_by: str | None = None
    """'end' (the default: FY27 ends in 2027) or 'start' (FY27 starts in 2027)."""
    extra_schemas: dict[str, str] | None = None
    baseline: str | None = None
    rules: dict[str, dict[str, Any]] | None = None
    """Each tuned rule's options, by rule name or code (see stratlint.rules.options)."""
    code_frame: bool | None = None
    """The text report shows the offending line under each finding (default true)."""
    policy: dict[str, Any] | None = None
    """The organisation's own rules: ``[[policy.rules]]`` and ``file`` (stratlint.custom reads them)."""
    functions: dict[FunctionId, FunctionTable] | None = None
    """The organisation's functions besides (or renaming) the built-in ones (stratlint.model.functions)."""
    docs_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")] | None = None
    """Where stratlint's documentation is published (each rule's page is rules/SL201.md
    under it): SARIF's helpUri and informationUri link there."""


KEYS = tuple(_kebab(name) for name in ConfigModel.model_fields)


@dataclass(frozen=True, slots=True)
class CommandLineOptions:
    """The configuration flags as typed: raw text, checked by ``resolve_config``."""

    config: Path | None = None
    select: Sequence[str] = ()
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    severity: Sequence[str] = ()
    """RULE=LEVEL items."""
    per_path_ignores: Sequence[str] = ()
    """GLOB=CODES items."""
    fail_on: str | None = None
    max_file_size: int | None = None
    max_proof_age_months: int | None = None
    baseline: Path | None = None
    cache: bool = True
    """False with --no-cache."""
    jobs: int | None = None
    allow_outside_root: bool = False
    """True with --allow-outside-root: a root or baseline the configuration names, or a
    link in the repository, may lead outside the repository."""


@dataclass(frozen=True, slots=True)
class ConfigFile:
    path: Path
    """Absolute."""
    display: str
    """As shown to the user: relative to the current folder when that is shorter."""
    table: str
    """'[tool.stratlint] ' for pyproject.toml, '' for a stratlint.toml."""
    model: ConfigModel
    rule_set: RuleSet = BUILT_IN
    """The registry's rules and the organisation's, from ``[policy]``."""
    policy_file: Path | None = None
    """The YAML policy file ``[policy]`` names, if any."""

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.display}: {self.table}{key}: {message}")


@dataclass(frozen=True, slots=True)
class Sourced:
    """One effective value, and where it came from: 'default', a file, or 'command line'."""

    value: Any
    source: str


_PASSED_ON = (
    "root",
    "policy",
    "fail_on",
    "max_file_size",
    "rule_options",
    "functions",
    "extra_schemas",
    "cache",
    "jobs",
    "code_frame",
    "scope",
    "docs_url",
    "rule_set",
)
"""The engine's settings an effective configuration holds as they are, under the same names
(the baseline it holds as a file, which ``settings`` reads)."""


@dataclass(frozen=True, slots=True)
class EffectiveConfig:
    """The configuration after the file and the command line are merged."""

    config_file: ConfigFile | None
    values: dict[str, Sourced]
    root: Path
    policy: Policy
    fail_on: Severity
    max_file_size: int
    rule_options: Mapping[str, RuleOptions] = field(default_factory=dict)
    functions: Functions = DEFAULT_FUNCTIONS
    extra_schemas: Mapping[str, ExtraSchema] = field(default_factory=dict)
    baseline: Path | None = None
    cache: bool = True
    jobs: int | None = None
    code_frame: bool = True
    scope: Path | None = None
    """A folder inside the root that PATH named: only its findings are reported."""
    docs_url: str = DOCS_URL
    rule_set: RuleSet = BUILT_IN
    """The registry's rules and the organisation's own, from the configuration's ``[policy]``."""

    def settings(self, *, use_baseline: bool = True) -> Settings:
        """The engine's Settings; reads the baseline file when one is configured."""
        baseline = None
        if use_baseline and self.baseline is not None:
            try:
                baseline = load_baseline(self.baseline)
            except BaselineError as error:
                raise ConfigError(str(error)) from None
        return Settings(baseline=baseline, **{name: getattr(self, name) for name in _PASSED_ON})


def resolve_settings(
    path: Path | None, options: CommandLineOptions | None = None, *, use_baseline: bool = True
) -> Settings:
    """Settings for a run on ``path`` (None: the configured root, or ./strategy); without
    ``options``, from the configuration file alone."""
    return resolve_config(path, options or CommandLineOptions()).settings(use_baseline=use_baseline)


# -- finding and reading the file ----------------------------------------------------------


def find_config_file(start: Path) -> Path | None:
    """The configuration file that governs ``start``: the nearest folder up that has one."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate_folder in (folder, *folder.parents):
        for name in CONFIG_FILES:
            candidate = candidate_folder / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml" or _has_table(candidate):
                return candidate
    return None


def _has_table(pyproject: Path) -> bool:
    document = _read_toml(pyproject, _display(pyproject))
    tool = document.get("tool")
    return isinstance(tool, dict) and "stratlint" in tool


def _read_toml(path: Path, display: str) -> dict[str, Any]:
    return _parse_toml(_read_text(path, display), display)


def _read_text(path: Path, display: str) -> str:
    raw = read_bounded(str(path), DEFAULT_MAX_BYTES)  # never a FIFO or a device, never without end
    if not isinstance(raw, bytes):
        raise ConfigError(f"{display}: the configuration file cannot be read: {unread_reason(raw, DEFAULT_MAX_BYTES)}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{display}: the configuration file is not UTF-8 text") from None


def _parse_toml(text: str, display: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{display}: not valid TOML: {error}") from None


def read_config_file(path: Path, *, explicit: bool = False) -> ConfigFile:
    display = _display(path)
    if explicit and not path.is_file():
        raise ConfigError(f"--config {display}: no such file")
    text = _read_text(path, display)
    document = _parse_toml(text, display)
    table = ""
    if path.name == "pyproject.toml":
        tool = document.get("tool")
        if not isinstance(tool, dict) or "stratlint" not in tool:
            raise ConfigError(f"{display}: no [tool.stratlint] table; add one, or name a stratlint.toml")
        document, table = tool["stratlint"], "[tool.stratlint] "
        if not isinstance(document, dict):
            raise ConfigError(f"{display}: [tool.stratlint] should be a table")
    try:
        model = ConfigModel.model_validate(document)
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        raise ConfigError(f"{display}: {table}{_key_path(item['loc'])}: {_explain(item)}") from None
    config = ConfigFile(path.resolve(), display, table, model)
    if model.policy is not None:
        config = _with_policy(config, text)
    _check_selectors(config)
    return config


def _with_policy(config: ConfigFile, text: str) -> ConfigFile:
    """The configuration with the organisation's rules of its ``[policy]`` table compiled."""
    from stratlint.custom import PolicyError, read_policy  # only a configuration with a policy pays for it

    try:
        policy = read_policy(
            config.model.policy,
            config_path=config.path,
            config_display=config.display,
            config_text=text,
            toml_table=config.table,
            boundary=_boundary(config),
            functions=configured_functions(config.model) or DEFAULT_FUNCTIONS,
        )
    except PolicyError as error:
        raise ConfigError(str(error)) from None
    return replace(config, rule_set=policy.rule_set, policy_file=policy.file)


def configured_functions(model: ConfigModel) -> Functions | None:
    """The organisation's functions with the file's ``[functions]`` laid on top; None without one."""
    if not model.functions:
        return None
    return DEFAULT_FUNCTIONS.extended({key: (table.name, table.owns) for key, table in model.functions.items()})


def _display(path: Path) -> str:
    # Lexically, not resolved: a link stays a link, so where it leads can still be checked.
    absolute = Path(os.path.abspath(path))
    try:
        relative = os.path.relpath(absolute, Path.cwd())
    except ValueError:
        return str(absolute)
    return relative if not relative.startswith(os.pardir * 3) else str(absolute)


BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def _key_path(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for step in loc:
        if step == "[key]":
            continue
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif not parts:
            parts.append(step)
        else:
            parts.append("." + (step if BARE_KEY.match(step) else json.dumps(step)))
    return "".join(parts) or "(top level)"


def _explain(item: Any) -> str:
    kind, given = item["type"], item.get("input")
    if item["loc"][:1] == ("functions",) and len(item["loc"]) > 2:
        if item["loc"][-1] == "[key]":
            return f"{given!r} is not a function id: use lowercase letters, digits and dashes, e.g. 'sales-development'"
        if kind == "extra_forbidden":
            return "unknown key; a function's keys are name and owns"
        if kind == "literal_error":
            return f"{given!r} is not a kind of plan; the plan kinds are {', '.join(PLAN_KINDS)}"
    if kind == "extra_forbidden":
        guess = difflib.get_close_matches(str(item["loc"][-1]), KEYS, n=1)
        hint = f"did you mean '{guess[0]}'? " if guess else ""
        return f"unknown key; {hint}the keys are {', '.join(KEYS)}"
    if kind == "literal_error":
        return f"{given!r} is not one of error, warning, info"
    if kind == "greater_than":
        return f"{given!r} should be a positive whole number"
    return explain(item, words=_TOML_WORDS).rstrip(".")


_TOML_WORDS = {"list_type": "a list of text values", "dict_type": "a table", "model_type": "a table"}
"""How a TOML file names what a key expects, where strategy files say it otherwise."""


# -- selectors -----------------------------------------------------------------------------


def selector_problem(selector: str, rules: Sequence[type[Rule]] = RULES) -> str | None:
    """Why ``selector`` is not usable, or None when it matches at least one of ``rules``."""
    if selector.strip() and any(selector_strength(selector, rule.code, rule.name) for rule in rules):
        return None
    guess = difflib.get_close_matches(selector.lower(), [rule.name for rule in rules], n=1)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    return (
        f"{selector!r} matches no rule{hint}; use a code (SL201), a code prefix (SL2), a name "
        "(dangling-reference) or ALL; 'stratlint rules' lists them"
    )


def _check_selectors(config: ConfigFile) -> None:
    model = config.model
    rules = config.rule_set.rules
    lists = {"select": model.select, "extend-select": model.extend_select, "ignore": model.ignore}
    for key, selectors in lists.items():
        for index, selector in enumerate(selectors or ()):
            problem = selector_problem(selector, rules)
            if problem:
                raise config.error(f"{key}[{index}]", problem)
    for selector in model.severity or {}:
        problem = selector_problem(selector, rules)
        if problem:
            raise config.error(_key_path(("severity", selector)), problem)
    for glob, selectors in (model.per_path_ignores or {}).items():
        for index, selector in enumerate(selectors):
            problem = selector_problem(selector, rules)
            if problem:
                raise config.error(_key_path(("per-path-ignores", glob, index)), problem)


def _split(values: Sequence[str]) -> list[str]:
    """``--select A,B --select C`` -> [A, B, C]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _cli_selectors(flag: str, values: Sequence[str], rules: Sequence[type[Rule]] = RULES) -> list[str]:
    selectors = _split(values)
    for selector in selectors:
        problem = selector_problem(selector, rules)
        if problem:
            raise ConfigError(f"{flag}: {problem}")
    return selectors


def _cli_pairs(flag: str, values: Sequence[str], shape: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        left, sep, right = value.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise ConfigError(f"{flag}: {value!r} should be written {shape}")
        pairs.append((left.strip(), right.strip()))
    return pairs


# -- merging -------------------------------------------------------------------------------


def resolve_config(path: Path | None, options: CommandLineOptions) -> EffectiveConfig:
    """Find and read the configuration for a run on ``path``, and lay the flags on top."""
    if options.config is not None:
        config: ConfigFile | None = read_config_file(options.config, explicit=True)
    else:
        found = find_config_file(path if path is not None else Path.cwd())
        config = read_config_file(found) if found is not None else None
    model = config.model if config else ConfigModel()
    base = config.path.parent if config else Path.cwd()
    merge = _Merge(config.display if config else DEFAULT_SOURCE)
    known = config.rule_set if config else BUILT_IN

    configured = _under(base, model.root)
    if path is None and config is not None and model.root is not None and not (base / model.root).is_dir():
        raise config.error("root", f"{model.root!r} is not a folder (the path is relative to this file)")
    scope = None
    enclosing = configured or default_root_above(path if path is not None else Path.cwd())
    if path is not None and enclosing is not None and _strictly_inside(path, enclosing):
        # A folder of the strategy: references cross folders, so the whole strategy is
        # checked, and only the findings inside the folder are reported.
        path, scope = enclosing, path
    root = merge.replace("root", path, configured, enclosing or DEFAULT_ROOT, shown=Path.as_posix)
    boundary = _boundary(config)
    if not options.allow_outside_root:
        typed = path is not None and scope is None
        _stay_inside(root, "root", config if root == configured else None, boundary, typed=typed)
    if config is not None and config.policy_file is not None:
        _policy_file_apart(config, config.policy_file, root)
    rules = known.rules
    select = merge.replace("select", _cli_selectors("--select", options.select, rules) or None, model.select, ["ALL"])
    cli_extend = _cli_selectors("--extend-select", options.extend_select, rules)
    extend = merge.combine(
        "extend-select", model.extend_select, [*(model.extend_select or ()), *cli_extend], cli_extend
    )
    cli_ignore = _cli_selectors("--ignore", options.ignore, rules)
    ignore = merge.combine("ignore", model.ignore, [*(model.ignore or ()), *cli_ignore], cli_ignore)
    severity = merge.combine(
        "severity", model.severity, {**(model.severity or {}), **_cli_severity(options, rules)}, options.severity
    )
    per_path = merge.combine(
        "per-path-ignores", model.per_path_ignores, _per_path_ignores(model, options, rules), options.per_path_ignores
    )
    fail_on = merge.replace(
        "fail-on",
        _cli_level("--fail-on", options.fail_on),
        Severity.parse(model.fail_on) if model.fail_on else None,
        Severity.ERROR,
        shown=lambda level: level.label,
    )
    max_size = merge.replace("max-file-size", options.max_file_size, model.max_file_size, DEFAULT_MAX_BYTES)
    if max_size < 1:
        raise ConfigError(f"--max-file-size: {max_size} should be a positive whole number")
    rule_options = _rule_options(config, model, options, merge)
    functions = merge.replace(
        "functions",
        None,
        configured_functions(model),
        DEFAULT_FUNCTIONS,
        shown=lambda found: {spec.id: {"name": spec.name, "owns": list(spec.owns)} for spec in found.specs},
    )
    if known.custom:
        named = config.model.policy.get("file") if config and config.model.policy else None
        merge.values["policy"] = Sourced(
            {**({"file": named} if named else {}), "rules": [rule.code for rule in known.custom]},
            merge.file_source,
        )
    extra = _extra_schemas(config) if config else {}
    merge.combine("extra-schemas", model.extra_schemas, {kind: schema.source for kind, schema in extra.items()}, ())
    baseline = merge.replace(
        "baseline", options.baseline, _under(base, model.baseline), None, shown=lambda p: p.as_posix() if p else None
    )
    if baseline is not None and not options.allow_outside_root:
        _stay_inside(baseline, "baseline", config, boundary, typed=options.baseline is not None)

    policy = Policy(
        select=tuple(select),
        extend_select=tuple(extend),
        ignore=tuple(ignore),
        severity={selector: Severity.parse(level) for selector, level in severity.items()},
        per_path_ignores={glob: tuple(codes) for glob, codes in per_path.items()},
    )
    return EffectiveConfig(
        config,
        merge.values,
        root,
        policy,
        fail_on,
        max_size,
        rule_options,
        functions,
        extra,
        baseline,
        cache=options.cache,
        jobs=options.jobs,
        code_frame=merge.replace("code-frame", None, model.code_frame, True),
        scope=scope,
        docs_url=merge.replace("docs-url", None, model.docs_url, DOCS_URL).rstrip("/") + "/",
        rule_set=known,
    )


_OPTION_ALIASES = {
    "max-proof-age-months": ("SL603", "max_age_months"),
    "min-primary-share": ("SL306", "min_primary_share"),
    "fiscal-year-start": ("SL705", "fiscal_year_start"),
    "fiscal-year-named-by": ("SL705", "fiscal_year_named_by"),
}
"""Top-level keys (the first also a flag) that set one rule's option, as shorthand for its table."""


def option_default(alias: str) -> Any:
    """The default of the rule option a top-level key or flag sets (``max-proof-age-months``)."""
    code, name = _OPTION_ALIASES[alias]
    return BY_CODE[code].Options.model_fields[name].default


def _rule_options(
    config: ConfigFile | None, model: ConfigModel, options: CommandLineOptions, merge: _Merge
) -> dict[str, RuleOptions]:
    """Each tuned rule's options, validated against the rule's own Options model: the
    file's ``[rules.<name>]`` tables, and the aliases, from the file or the command line."""
    tables: dict[str, dict[str, Any]] = {}
    where: dict[tuple[str, str], str] = {}
    """(code, option) -> how the user wrote it, for a message."""
    for selector, table in (model.rules or {}).items():
        rule = (config.rule_set if config else BUILT_IN).lookup(selector)
        if rule is None:
            raise _error(config, _key_path(("rules", selector)), f"{selector!r} is not a rule")
        tables.setdefault(rule.code, {}).update(table)
        for name in table:
            where[(rule.code, name.replace("-", "_"))] = _key_path(("rules", selector, name))
    for key, (code, name) in _OPTION_ALIASES.items():
        attribute = key.replace("-", "_")
        cli, file = getattr(options, attribute, None), getattr(model, attribute)
        value = merge.replace(key, cli, file, option_default(key))
        if cli is not None or file is not None:
            tables.setdefault(code, {})[name] = value
            where[(code, name)] = f"--{key}" if cli is not None else key
    found: dict[str, RuleOptions] = {}
    for code, table in tables.items():
        rule = BY_CODE.get(code) or (config.rule_set if config else BUILT_IN).lookup(code) or BY_CODE[code]
        try:
            found[code] = rule.Options.model_validate(table)
        except ValidationError as error:
            item = error.errors(include_url=False)[0]
            option = str(item["loc"][0]) if item["loc"] else ""
            written = where.get((code, option.replace("-", "_")), _key_path(("rules", rule.name, option)))
            if item["type"] == "extra_forbidden":
                known = ", ".join(name.replace("_", "-") for name in rule.Options.model_fields) or "none"
                message = f"unknown option of {rule.name}; its options are {known}"
            else:
                message = f"{option.replace('_', '-')} {explain(item, words=_TOML_WORDS).rstrip('.')}"
            if written.startswith("--"):
                raise ConfigError(f"{written}: {message}") from None
            raise _error(config, written, message) from None
    if model.rules:
        merge.values["rules"] = Sourced(
            {_name_of(config, code): found[code].model_dump(mode="json", by_alias=True) for code in tables},
            merge.file_source,
        )
    return found


def _name_of(config: ConfigFile | None, code: str) -> str:
    rule = (config.rule_set if config else BUILT_IN).lookup(code)
    return rule.name if rule is not None else code


def _policy_file_apart(config: ConfigFile, policy_file: Path, root: Path) -> None:
    """Refuse a policy file that would also be read as a strategy file: every YAML file under
    the root is one, except in folders whose name starts with '.'."""
    from stratlint.load.discover import YAML_SUFFIXES

    resolved, under = policy_file.resolve(), root.resolve()
    if not resolved.is_relative_to(under) or not resolved.name.endswith(YAML_SUFFIXES):
        return
    if any(part.startswith(".") for part in resolved.relative_to(under).parts[:-1]):
        return
    assert config.model.policy is not None
    raise config.error(
        "policy.file",
        f"{config.model.policy.get('file')!r} is inside the strategy root, where every YAML file is read as a "
        "strategy file; keep it in a folder whose name starts with '.' (e.g. '.stratlint/policy.yaml') or "
        "outside the root",
    )


def _error(config: ConfigFile | None, key: str, message: str) -> ConfigError:
    return config.error(key, message) if config is not None else ConfigError(f"{key}: {message}")


T = TypeVar("T")


class _Merge:
    """Collects each effective value with where it came from."""

    def __init__(self, file_source: str) -> None:
        self.file_source = file_source
        self.values: dict[str, Sourced] = {}

    def replace(
        self, key: str, cli: T | None, file: T | None, default: T, *, shown: Callable[[T], Any] = lambda v: v
    ) -> T:
        """The command line's value, else the file's, else the default."""
        if cli is not None:
            value, source = cli, COMMAND_LINE
        elif file is not None:
            value, source = file, self.file_source
        else:
            value, source = default, DEFAULT_SOURCE
        self.values[key] = Sourced(shown(value), source)
        return value

    def combine(self, key: str, file: object | None, value: T, cli: Sequence[Any] | Mapping[str, Any]) -> T:
        """A value the file and the command line both add to."""
        parts = [self.file_source] if file is not None else []
        parts += [COMMAND_LINE] if cli else []
        self.values[key] = Sourced(value, " + ".join(parts) or DEFAULT_SOURCE)
        return value


def default_root_above(start: Path) -> Path | None:
    """The default strategy root (a folder named ``strategy``) in ``start`` or a folder above
    it, up to the enclosing git repository's top: run from a subfolder of a strategy
    repository, stratlint finds its root as git does. Outside a repository, only ``start``."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    in_repository = any((candidate / ".git").exists() for candidate in (folder, *folder.parents))
    for candidate in (folder, *folder.parents) if in_repository else (folder,):
        if (candidate / DEFAULT_ROOT).is_dir():
            return _shorten(candidate / DEFAULT_ROOT)
        if (candidate / ".git").exists():
            return None  # the repository's top: a strategy above it is not this repository's
    return None


def _boundary(config: ConfigFile | None) -> Path:
    """What a repository's own files may lead to: the repository holding the configuration
    (or the current folder), or, outside any repository, the folder of the configuration."""
    start = config.path.parent if config is not None else Path.cwd()
    return (find_repository_root(start) or start).resolve()


def _named(boundary: Path) -> str:
    return "the repository" if (boundary / ".git").exists() else "the folder of the configuration"


def _outside(path: Path, boundary: Path, *, typed: bool) -> str | None:
    """Why ``path`` may not be used, when the repository makes it lead outside ``boundary``:
    named by the configuration, or reached through a link inside the repository. A path
    typed on the command line that is outside to begin with is the user's own choice."""
    escape = leads_outside(path, boundary)
    if escape is None or (typed and not escape.through_link):
        return None
    where = f"leads through a link to {escape.resolved.as_posix()}, " if escape.through_link else "is "
    return (
        f"{where}outside {_named(boundary)} ({boundary.as_posix()}); stratlint reads and writes only inside it. "
        "Pass --allow-outside-root if that is intended"
    )


def _stay_inside(path: Path, key: str, config: ConfigFile | None, boundary: Path, *, typed: bool) -> None:
    """Raise the configuration error for a ``key`` (root, baseline) that leads outside."""
    problem = _outside(path, boundary, typed=typed)
    if problem is None:
        return
    named = getattr(config.model, key) if config is not None and not typed else None
    if named is not None and config is not None:
        raise config.error(key, f"{named!r} {problem}.")
    raise ConfigError(f"the {'strategy root' if key == 'root' else key} {path.as_posix()!r} {problem}.")


def _strictly_inside(path: Path, root: Path) -> bool:
    path, root = path.resolve(), root.resolve()
    return path != root and path.is_relative_to(root)


def _under(base: Path, location: str | None) -> Path | None:
    return _shorten(base / location) if location is not None else None


def _cli_level(flag: str, level: str | None) -> Severity | None:
    if level is None:
        return None
    try:
        return Severity.parse(level)
    except ValueError:
        raise ConfigError(f"{flag}: {level!r} is not one of error, warning, info") from None


def _cli_severity(options: CommandLineOptions, rules: Sequence[type[Rule]] = RULES) -> dict[str, str]:
    overrides = {}
    for rule, level in _cli_pairs("--severity", options.severity, "RULE=LEVEL, e.g. SL304=info"):
        problem = selector_problem(rule, rules)
        if problem:
            raise ConfigError(f"--severity: {problem}")
        parsed = _cli_level("--severity", level)
        assert parsed is not None
        overrides[rule] = parsed.label
    return overrides


def _per_path_ignores(
    model: ConfigModel, options: CommandLineOptions, rules: Sequence[type[Rule]] = RULES
) -> dict[str, list[str]]:
    merged = {glob: list(codes) for glob, codes in (model.per_path_ignores or {}).items()}
    for glob, codes in _cli_pairs("--per-path-ignores", options.per_path_ignores, "GLOB=CODES, e.g. 'archive/*=SL3'"):
        merged.setdefault(glob, []).extend(_cli_selectors("--per-path-ignores", [codes], rules))
    return merged


def _extra_schemas(config: ConfigFile) -> dict[str, ExtraSchema]:
    schemas = {}
    for kind, location in (config.model.extra_schemas or {}).items():
        key = _key_path(("extra-schemas", kind))
        if kind not in KINDS:
            guess = difflib.get_close_matches(kind, list(KINDS), n=1)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            raise config.error(key, f"{kind!r} is not a kind; {hint}the kinds are {', '.join(KINDS)}")
        # On a pull request the schema is the contributor's: it is read only inside the
        # repository, within bounds, and never from a FIFO or a device.
        from stratlint.load.schema_refs import UnusableSchemaFile, locate, read_json

        if Path(location).is_absolute():
            raise config.error(key, f"the schema file {location!r} should be a path relative to this file")
        boundary = _boundary(config)
        try:
            path = locate(config.path.parent / location, boundary)
            document = read_json(path)
        except UnusableSchemaFile as reason:
            raise config.error(key, f"the schema file {location!r} {reason}") from None
        try:
            schemas[kind] = ExtraSchema.build(kind, location, document, path=path, boundary=boundary)
        except ValueError as error:
            raise config.error(key, f"the schema file {location!r} is {error}") from None
    return schemas


def _shorten(path: Path) -> Path:
    """``path`` relative to the current folder when that reads better, for messages."""
    return Path(_display(path))
