"""docs/formats.md shows every format with a real sample; the samples never drift
(tests/test_generated.py compares every generated file with what the generator writes)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import jsonschema

from stratlint.report import REPORTERS
from stratlint_dev.samples import SAMPLE_FILES, begin_marker, build_samples, end_marker

from conftest import PROJECT, STRATEGY, needs_shared

DOCS = PROJECT / "docs"


def test_every_format_has_a_sample_and_a_section() -> None:
    formats = (DOCS / "formats.md").read_text(encoding="utf-8")
    assert set(SAMPLE_FILES) == set(REPORTERS)
    for name in REPORTERS:
        assert (DOCS / "samples" / SAMPLE_FILES[name]).is_file(), name
        assert re.search(rf"^## {name}$", formats, re.MULTILINE), name
        start, end = formats.index(begin_marker(name)), formats.index(end_marker(name))
        assert "```" in formats[start:end], f"the {name} sample in formats.md is empty"


def test_the_sample_run_has_exactly_the_planted_error() -> None:
    samples = build_samples(STRATEGY)
    (found,) = samples.result.diagnostics
    assert found.code == "SL201"
    assert found.path == samples.planted.path and found.line == samples.planted.line
    assert samples.planted.planted in found.message and samples.planted.original in found.message
    # The planted error lowers an alignment score, so the samples show a change.
    assert samples.result.base_summary is not None
    assert samples.result.summary.alignment != samples.result.base_summary.alignment


def test_committed_samples_parse_and_the_sarif_sample_is_valid() -> None:
    samples = DOCS / "samples"
    json.loads((samples / SAMPLE_FILES["json"]).read_text())
    assert isinstance(json.loads((samples / SAMPLE_FILES["gitlab"]).read_text()), list)
    ET.fromstring((samples / SAMPLE_FILES["junit"]).read_text())
    schema = json.loads(needs_shared("schemas", "sarif-2.1.0.json").read_text())
    document = json.loads((samples / SAMPLE_FILES["sarif"]).read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(document)
