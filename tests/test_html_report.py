"""stratlint report --html: one self-contained, deterministic file, opened in a real browser.

The browser tests open the report from file in headless Chromium (Debian's chromium,
installed by .ci/run) through the DevTools protocol (tests/browser.py) and fail on any
console error or Content-Security-Policy violation; a page with an unhashed inline script
proves that such a violation is caught. Screenshots go to $STRATLINT_ARTIFACTS (default
build/screenshots at the project root, which git ignores) for people to look at; nobody compares pixels.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from gitrepo import commit_all, new_repository, replace_in

from stratlint.analysis.alignment import OVERALL
from stratlint.analysis.matrix import Header, analyze, build_view
from stratlint.analysis.settings import Settings
from stratlint.report.html import anchor, content_security_policy, json_block, order_tiers, sha256_source

from browser import chromium, launch, save_screenshot
from conftest import STRATEGY, invoke

HOSTILE = "</script><script>alert(1)</script> \"dq\" 'sq' <b>bold</b> &amp;"
PILLAR = "pillar.planted-gap"
CLAIM = "claim.told-not-built"
TELLER = "msg.core.positioning"


def plant(strategy: Path) -> None:
    """A pillar no function works on but marketing (SL303 for product and sales), with a
    hostile name, and a claim marketing tells that no roadmap item builds (SL301), whose
    hole is waived."""
    narrative = strategy / "narrative.yaml"
    replace_in(
        narrative,
        "\nproof_points:\n",
        f"""
  - id: {PILLAR}
    name: {json.dumps(HOSTILE)}
    statement: A pillar nobody builds for.
    owner: pmm-lead
    claims:
      # stratlint: disable=SL301 until=2099-12-31 owner=vp-product -- scheduled for the next planning cycle
      - id: {CLAIM}
        statement: Told by marketing and built by nobody.
        proof_points: [pp.certified-erp-connectors]

proof_points:
""",
    )
    replace_in(
        strategy / "marketing" / "core-messaging.yaml",
        "narrative: [pillar.continuous-close, claim.close-in-five-days]",
        f"narrative: [pillar.continuous-close, claim.close-in-five-days, {CLAIM}]",
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with the bundled strategy, planted, committed; the report written."""
    repo = new_repository(tmp_path_factory.mktemp("planted") / "repo")
    plant(repo / "strategy")
    commit_all(repo, "plant a hole")
    result = invoke("report", "--html", repo / "out" / "report.html", repo / "strategy", "--no-cache", cwd=repo)
    assert result.exit_code == 2  # the folder out/ does not exist yet: said, not a traceback
    (repo / "out").mkdir()
    result = invoke("report", "--html", repo / "out" / "report.html", repo / "strategy", "--no-cache", cwd=repo)
    assert result.exit_code == 0, result.output
    return repo


def _page(repo: Path) -> str:
    return (repo / "out" / "report.html").read_text(encoding="utf-8")


def test_the_bundled_strategy_gives_the_same_bytes_twice_and_under_300_kb(tmp_path: Path) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    assert invoke("report", "--html", first, STRATEGY).exit_code == 0
    assert invoke("report", "--html", second, STRATEGY, "--no-cache").exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes()) < 300_000


def test_the_score_shown_is_the_one_check_computes(planted: Path) -> None:
    checked = json.loads(invoke("check", planted / "strategy", "--format", "json", cwd=planted).stdout)
    overall = checked["summary"]["alignment"][OVERALL]
    page = _page(planted)
    shown = re.search(r'id="overall-score">.*?<span class="big">([^<]+)</span>', page)
    assert shown is not None
    assert shown.group(1) == f"{round(overall['score'] * 100)}%"
    assert f"{overall['aligned']}/{overall['entries']} entries" in page


def test_entries_marked_aligned_add_up_to_each_functions_score(planted: Path) -> None:
    run = analyze(Settings(root=planted / "strategy", repo_root=planted, cache=False))
    view = build_view(run, Header())
    counted = Counter(entry.function for entry in view.entries if entry.standing == "aligned")
    for score in view.scores:
        if score.function != OVERALL:
            assert counted[score.function] == score.aligned, score.function
            assert sum(1 for e in view.entries if e.function == score.function) == score.entries
    teller = next(entry for entry in view.entries if entry.id == TELLER)
    assert teller.standing == "waived"  # the claim it tells is unbacked, and the waiver silences that


def test_it_is_self_contained_and_every_inline_block_is_admitted_by_hash(planted: Path) -> None:
    page = _page(planted)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"\ssrc=", page)
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page.split("</header>", 1)[1])
    assert not re.search(r"\sstyle=", page), "an inline style attribute needs 'unsafe-hashes'"
    assert not re.search(r"\son[a-z]+=", page), "an inline event handler cannot be admitted by hash"
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None and html.unescape(csp.group(1)).startswith("default-src 'none';")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    assert html.unescape(csp.group(1)) == content_security_policy(scripts[0], styles[0])
    assert len(scripts[0].encode()) < 8_000


def test_hostile_text_comes_out_inert(planted: Path) -> None:
    page = _page(planted)
    assert page.count("<script") == 2  # the JSON data block and the one hashed script
    assert "alert(1)</script>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &#34;dq&#34; &#39;sq&#39; &lt;b&gt;" in page
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert data is not None and "<" not in data.group(1)
    assert json.loads(json_block({"x": HOSTILE}))["x"] == HOSTILE
    assert "</" not in json_block({"x": HOSTILE})


def test_the_matrix_marks_the_planted_holes_and_the_waived_one(planted: Path) -> None:
    page = _page(planted)
    for function in ("product", "sales"):
        cell = re.search(rf'<td class="cell hole" data-function="{function}" data-node="{PILLAR}">', page)
        assert cell is not None, function
    assert f'<td class="cell" data-function="marketing" data-node="{PILLAR}">' in page
    waived = re.search(
        rf'<td class="cell hole waived" data-function="product" data-node="{CLAIM}">\s*(.*?)</td>', page, re.S
    )
    assert waived is not None
    assert "vp-product until 2099-12-31" in waived.group(1)
    csv_link = re.search(
        r'id="matrix-csv" download="stratlint-matrix.csv" href="data:text/csv;charset=utf-8,([^"]+)"', page
    )
    assert csv_link is not None
    from urllib.parse import unquote

    rows = unquote(csv_link.group(1)).splitlines()
    assert rows[0].startswith("node,type,pillar,function,entries,hole")
    assert f"{CLAIM},claim,{PILLAR},product,,SL301,vp-product,2099-12-31" in rows


def test_an_entry_shows_its_trace_referrers_findings_and_file(planted: Path) -> None:
    page = _page(planted)
    detail = re.search(rf'<details class="item entry" id="{re.escape(anchor(TELLER))}".*?</details>', page, re.S)
    assert detail is not None
    text = detail.group(0)
    assert f'href="#{anchor(CLAIM)}"' in text  # its trace, up to the claim
    assert f'href="#{anchor(PILLAR)}"' in text  # and the pillar the claim stands under
    assert "prio." in text and "primary" in text
    assert "SL301" in text and "waived by vp-product until 2099-12-31" in text
    assert 'href="../strategy/marketing/core-messaging.yaml#L' in text  # relative to the report in out/


_HOOD_ROW = 5  # neighbours drawn in a row of a neighbourhood picture; the rest are counted


def _hood_links(page: str) -> dict[str, str]:
    """Each box the pictures place, by its reference: the anchor its link goes to."""
    defs = re.search(r'<svg id="graph-svg".*?<defs>(.*?)</defs>', page, re.S)
    assert defs is not None
    return dict(re.findall(r'<a id="([^"]+)" class="gn[^"]*" href="#([^"]+)">', defs.group(1)))


def _listed(detail: str, *labels: str) -> list[str]:
    """The anchors a detail's trace rows under ``labels`` link to, in order, once each."""
    found: list[str] = []
    for label in labels:
        row = re.search(rf"<dt>{label}</dt><dd[^>]*>(.*?)</dd>", detail, re.S)
        if row:
            found += re.findall(r'href="#(n-[^"]+)"', row.group(1))
    return list(dict.fromkeys(found))


def test_every_entry_has_its_neighbourhood_picture_linking_to_its_neighbours(planted: Path) -> None:
    page = _page(planted)
    boxes = _hood_links(page)
    entries = re.findall(r'<details class="item entry" id="([^"]+)".*?</details>', page, re.S)
    details = re.findall(r'<details class="item entry" id="[^"]+".*?</details>', page, re.S)
    assert len(details) >= 77
    for own, detail in zip(entries, details, strict=True):
        hood = re.search(r'<div class="hood"><svg [^>]*>(.*?)</svg></div>', detail, re.S)
        assert hood is not None, own
        placed = re.findall(r'<use href="#(b\d+)" x="(\d+)" y="(\d+)"( class="self")?/>', hood.group(1))
        selves = [ref for ref, _, _, self_mark in placed if self_mark]
        assert [boxes[ref] for ref in selves] == [own]  # the node itself, marked
        (self_y,) = {int(y) for _, _, y, self_mark in placed if self_mark}
        shown_up = [boxes[ref] for ref, _, y, self_mark in placed if not self_mark and int(y) < self_y]
        shown_down = [boxes[ref] for ref, _, y, self_mark in placed if not self_mark and int(y) > self_y]
        up = [item for item in _listed(detail, "value", "narrative", "priority") if item != own]
        down = [item for item in _listed(detail, "Referred to by") if item != own]
        assert up, own  # an entry traces to something
        for shown, listed in ((shown_up, up), (shown_down, down)):
            assert shown == listed[:_HOOD_ROW], own
        counted = sum(int(n) for n in re.findall(r">\+(\d+) more</text>", hood.group(1)))
        assert counted == max(len(up) - _HOOD_ROW, 0) + max(len(down) - _HOOD_ROW, 0), own
    teller = details[entries.index(anchor(TELLER))]
    assert anchor(CLAIM) in [boxes[ref] for ref in re.findall(r'<use href="#(b\d+)"', teller.split('class="hood"')[1])]


def test_every_node_s_neighbourhood_draws_five_a_row_and_counts_the_rest(planted: Path) -> None:
    page = _page(planted)
    boxes = _hood_links(page)
    counted = 0
    for own, detail in re.findall(r'<details class="item node" id="([^"]+)"(.*?)</details>', page, re.S):
        up, down = _listed(detail, "Under", "Includes"), _listed(detail, "Referred to by")
        hood = detail.split('<div class="hood">', 1)[1]
        placed = re.findall(r'<use href="#(b\d+)" x="\d+" y="(\d+)"( class="self")?/>', hood)
        (self_y,) = {int(y) for _, y, self_mark in placed if self_mark}
        assert [boxes[ref] for ref, y, mark in placed if not mark and int(y) < self_y] == up[:_HOOD_ROW], own
        assert [boxes[ref] for ref, y, mark in placed if not mark and int(y) > self_y] == down[:_HOOD_ROW], own
        if len(down) > _HOOD_ROW:
            assert f">+{len(down) - _HOOD_ROW} more</text>" in hood, own
            counted += 1
    assert counted  # the bundled pillars have more referrers than a row holds


def test_link_base_points_files_at_the_code_host(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    base = "https://git.example/org/repo/blob/main"
    assert invoke("report", "--html", out, planted / "strategy", "--link-base", base, cwd=planted).exit_code == 0
    assert f'href="{base}/strategy/narrative.yaml#L' in out.read_text(encoding="utf-8")


def test_the_report_is_refused_inside_the_strategy_folder(planted: Path) -> None:
    result = invoke("report", "--html", planted / "strategy" / "r.html", planted / "strategy", cwd=planted)
    assert result.exit_code == 2
    assert "inside the strategy folder" in result.output


def test_the_report_can_go_to_standard_output() -> None:
    result = invoke("report", "--html", "-", STRATEGY)
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>")


def test_barycentre_ordering_untangles_crossed_edges_and_is_stable() -> None:
    tiers = [["a", "b"], ["y", "x"]]
    edges = [("a", "x"), ("b", "y")]
    assert order_tiers(tiers, edges) == [["a", "b"], ["x", "y"]]
    assert order_tiers(tiers, []) == [["a", "b"], ["y", "x"]]


def test_anchors_are_distinct_for_distinct_ids() -> None:
    ids = ["a.b", "a_b", "a b", "a_0020b", "A.b"]
    assert len({anchor(node_id) for node_id in ids}) == len(ids)
    assert all(re.fullmatch(r"n-[A-Za-z0-9._\-]+", anchor(node_id)) for node_id in ids)


def test_the_csp_hash_is_the_browser_s() -> None:
    digest = base64.b64encode(hashlib.sha256(b"console.log(1)").digest()).decode()
    assert sha256_source("console.log(1)") == f"'sha256-{digest}'"


def test_a_thousand_entries_stay_under_3_mb(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    strategy = generate(tmp_path / "gen", 640)
    out = tmp_path / "gen.html"
    result = invoke("report", "--html", out, strategy, "--no-cache", cwd=strategy.parent)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    entries = page.count('<details class="item entry"')
    assert entries >= 1000
    assert len(page.encode()) < 3_000_000, len(page.encode())


# -- in a real browser ---------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="headless Chromium is not installed (.ci/run installs Debian's chromium; apt-get install chromium)",
)


@pytest.mark.integration
@needs_chromium
def test_a_csp_violation_is_caught_by_the_browser_test(tmp_path: Path) -> None:
    """The proof that the detector works: an unhashed inline script is a violation."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        "</head><body><p>x</p><script>document.title='ran'</script></body></html>",
        encoding="utf-8",
    )
    with launch() as browser:
        page = browser.new_page()
        page.open(bad)
        problems = page.problems()
        assert any("Content Security Policy" in problem for problem in problems), problems
        assert page.evaluate("document.title") != "ran"


@pytest.mark.integration
@needs_chromium
def test_the_report_in_chromium(planted: Path, tmp_path: Path) -> None:
    path = planted / "out" / "report.html"
    with launch() as browser:
        browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
        page = browser.new_page()
        page.open(path)
        assert page.evaluate("document.documentElement.classList.contains('js')"), "the script did not run"
        pillars = page.evaluate("document.querySelectorAll('tr.row.pillar').length")
        cells = page.evaluate("document.querySelectorAll('tr.row.pillar td.cell').length")
        assert pillars >= 5 and cells == pillars * 3  # a cell for every function and pillar pair
        hole = page.evaluate(
            f'document.querySelector(\'td.cell[data-node="{PILLAR}"][data-function="sales"]\').className'
        )
        assert "hole" in hole
        save_screenshot(page, "report.png")

        # The "holes only" filter leaves only holes.
        page.click("#holes-only")
        visible = page.evaluate(
            "Array.from(document.querySelectorAll('#matrix-table td.cell')).filter(function(c){"
            "return c.offsetParent !== null && getComputedStyle(c).visibility !== 'hidden';})"
            ".map(function(c){return c.classList.contains('hole');})"
        )
        assert visible and all(visible), visible
        page.click("#holes-only")

        # Clicking an entry in the graph reaches its detail.
        target = anchor(TELLER)
        page.click(f"#graph-svg a.gn[data-node='{TELLER}']")
        assert page.evaluate("location.hash") == f"#{target}"
        assert page.evaluate(f"document.getElementById('{target}').open") is True
        in_view = page.evaluate(
            f"(function(){{var r=document.getElementById('{target}').getBoundingClientRect();"
            "return r.top >= -2 && r.top < window.innerHeight;})()"
        )
        assert in_view

        # The filter hides what does not match.
        page.evaluate(
            "var f=document.getElementById('function-filter'); f.value='sales';f.dispatchEvent(new Event('change'));"
        )
        shown = page.evaluate(
            "Array.from(document.querySelectorAll('details.entry')).filter(function(d){return d.offsetParent!==null;})"
            ".map(function(d){return d.getAttribute('data-function');})"
        )
        assert shown and set(shown) == {"sales"}
        page.click("#expand-all")
        assert page.evaluate("Array.from(document.querySelectorAll('details.item')).every(function(d){return d.open;})")

        # The CSV download arrives, with the waived hole in it.
        page.click("#matrix-csv")
        downloaded = tmp_path / "stratlint-matrix.csv"
        for _ in range(40):
            if downloaded.exists() and downloaded.stat().st_size:
                break
            time.sleep(0.25)
        assert f"{CLAIM},claim,{PILLAR},product,,SL301,vp-product,2099-12-31" in downloaded.read_text(encoding="utf-8")
        assert page.problems() == []


@pytest.mark.integration
@needs_chromium
def test_clicking_a_box_in_an_entry_s_neighbourhood_reaches_that_neighbour(planted: Path) -> None:
    """The boxes are <use> of the graph picture's linked boxes: the link works where it is placed."""
    page_text = _page(planted)
    boxes = _hood_links(page_text)
    ref = next(ref for ref, target in boxes.items() if target == anchor(CLAIM))
    with launch() as browser:
        page = browser.new_page()
        page.open(planted / "out" / "report.html")
        page.evaluate(f"document.getElementById('{anchor(TELLER)}').open = true")
        hood = f"[id='{anchor(TELLER)}'] .hood"
        page.click(f"{hood} use[href='#{ref}']")
        assert page.evaluate("location.hash") == f"#{anchor(CLAIM)}"
        assert page.evaluate(f"document.getElementById('{anchor(CLAIM)}').open") is True
        drawn = page.evaluate(
            f'(function(){{var r=document.querySelector("{hood} use")'
            ".getBoundingClientRect();return [r.width, r.height];})()"
        )
        assert drawn[0] >= 120 and drawn[1] >= 18  # the box is drawn, not an empty reference
        assert page.problems() == []


@pytest.mark.integration
@needs_chromium
def test_the_report_reads_with_javascript_off(planted: Path) -> None:
    with launch() as browser:
        page = browser.new_page(javascript=False)
        page.open(planted / "out" / "report.html")
        # Script execution is off: the page cannot run its own script, so read the DOM over the protocol.
        document = page.send("DOM.getDocument", {"depth": -1})
        node = document["root"]["nodeId"]
        outer = page.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
        assert 'class="js"' not in outer.split("<head>", 1)[0]  # the script did not run
        assert outer.count('<td class="cell') >= 15
        assert outer.count('<details class="item entry"') >= 77
        assert 'id="graph-svg"' in outer
        save_screenshot(page, "report-no-js.png")
        assert page.problems() == []


@pytest.mark.integration
@needs_chromium
def test_the_report_prints_with_every_detail_open(planted: Path) -> None:
    """The print style shows what closed details hold, without the script's help."""
    with launch() as browser:
        page = browser.new_page()
        page.open(planted / "out" / "report.html")
        shown = "document.querySelector('details.entry dl.trace').checkVisibility()"
        assert page.evaluate("document.querySelector('details.entry').open") is False
        assert page.evaluate(shown) is False
        page.send("Emulation.setEmulatedMedia", {"media": "print"})
        assert page.evaluate(shown) is True
        assert page.evaluate("getComputedStyle(document.querySelector('nav.bar')).display") == "none"
        pdf = page.send("Page.printToPDF", {"printBackground": True}, timeout=120)["data"]
        assert base64.b64decode(pdf).startswith(b"%PDF")
