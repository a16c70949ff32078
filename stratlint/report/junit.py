"""JUnit XML, as GitLab and Jenkins read test reports.

One ``<testsuite>`` per file, one failing ``<testcase>`` per finding; a file with no
findings gets one passing test case, so every file checked shows up as passing.
Built with ElementTree, so the document is always well-formed whatever a message holds.

The document follows the Jenkins xunit plugin's JUnit schema (junit-10.xsd), which allows
``file`` on a ``<testsuite>`` but neither ``file`` nor ``line`` on a ``<testcase>``: the
suite names its file, and a finding's place is in its test case's name and, as
``path:line:column``, its ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from stratlint.analysis.result import Report
from stratlint.diagnostics import Diagnostic
from stratlint.report.text import format_diagnostic

# XML 1.0 cannot carry most control characters, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _failure_text(diagnostic: Diagnostic) -> str:
    lines = [format_diagnostic(diagnostic)]
    lines += [f"  {item.path}:{item.span.line}:{item.span.column}: {item.message}" for item in diagnostic.related]
    return "\n".join(lines)


def _testcase(suite: ET.Element, path: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": _xml_text(path), "name": _xml_text(name), "time": "0"})


def render(result: Report) -> str:
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in result.files}
    for diagnostic in result.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)

    root = ET.Element("testsuites", {"name": "stratlint"})
    total_tests = total_failures = 0
    for path in sorted(by_path):
        found = by_path[path]
        suite = ET.SubElement(root, "testsuite", {"name": _xml_text(path), "file": _xml_text(path)})
        for diagnostic in found:
            where = f"{path}:{diagnostic.line}:{diagnostic.column}" if diagnostic.span.positioned else path
            case = _testcase(suite, path, f"{diagnostic.code} {diagnostic.name} at {where}")
            failure = ET.SubElement(
                case,
                "failure",
                {"message": _xml_text(diagnostic.message), "type": diagnostic.code},
            )
            failure.text = _xml_text(_failure_text(diagnostic))
            if diagnostic.span.positioned:  # a finding about the whole strategy folder has no line
                ET.SubElement(case, "system-out").text = _xml_text(where)
        if not found:
            _testcase(suite, path, "no findings")
        tests = max(len(found), 1)
        suite.attrib.update(
            {"tests": str(tests), "failures": str(len(found)), "errors": "0", "skipped": "0", "time": "0"}
        )
        total_tests += tests
        total_failures += len(found)
    root.attrib.update({"tests": str(total_tests), "failures": str(total_failures), "errors": "0", "time": "0"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
