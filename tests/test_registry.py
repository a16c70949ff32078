"""The rule registry: unique codes and names, complete metadata, every rule module registered."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import stratlint.rules as rules_package
from stratlint.rules import RULES, Rule

from conftest import PROJECT


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    for rule in RULES:
        assert re.fullmatch(r"SL\d{3}", rule.code), rule
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule


def test_every_rule_has_summary_and_explanation_with_example() -> None:
    for rule in RULES:
        assert rule.summary.endswith("."), rule.code
        assert len(rule.docs()) > 80, rule.code
        assert "Fix" in rule.docs(), f"{rule.code} explanation has no fix"


def test_every_concrete_rule_class_is_registered() -> None:
    found = set()
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"stratlint.rules.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Rule) and cls.__module__ == module.__name__ and "code" in cls.__dict__:
                found.add(cls)
    assert found == set(RULES)


def test_every_rule_has_fixtures() -> None:
    fixtures = PROJECT / "tests" / "fixtures" / "rules"
    for rule in RULES:
        folder = fixtures / f"{rule.code}-{rule.name}"
        assert (folder / "bad").is_dir(), f"no triggering fixture for {rule.code}: {folder}/bad"
        assert (folder / "good").is_dir(), f"no clean fixture for {rule.code}: {folder}/good"


def test_every_rule_declares_its_stage_of_the_misalignment_cascade() -> None:
    from stratlint.diagnostics import Stage

    for rule in RULES:
        assert isinstance(rule.stage, Stage), rule.code
    assert {rule.stage for rule in RULES} == set(Stage), "every stage has a rule"
