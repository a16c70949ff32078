"""Benchmark ``stratlint mv`` on a generated strategy, as a ratio to the floor.

    python benchmarks/refactor.py                  # 10,000 artifacts, 5 runs
    python benchmarks/refactor.py --size 1000 --runs 3

It generates the strategy repository ``benchmarks/run.py`` measures (benchmarks/generate.py,
seed 1), stamps its references in a lock (so the lock's stamps move too), and measures, each
in a fresh process, interleaved run by run so that a busy machine slows them all alike:

- floor: PyYAML's libyaml composer over the same files (as in benchmarks/run.py);
- ``stratlint mv`` of one message: the definition only, one file;
- ``stratlint mv --dry-run`` of the most referenced segment: every file that names it planned,
  re-parsed and checked, and the diff printed, nothing written;
- ``stratlint mv`` of that segment, writing every file (and the lock) atomically; then back
  again, so each run starts from the same strategy.

Each with the load cache warm (a ``stratlint check`` ran first), as on a working copy. It
prints medians of wall time, CPU time and peak memory, each also as a ratio to the floor,
and a Markdown table ready for the README.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from benchmarks.run import FLOOR, Figure, _environment, _repository, _row, measure  # noqa: E402

_LABELS = {
    "floor": "floor: libyaml compose",
    "mv one": "`stratlint mv` of a message (1 file)",
    "mv dry-run": "`stratlint mv --dry-run` of the most referenced segment",
    "mv": "`stratlint mv` of that segment, files and lock written",
}
_HEADERS = ["run", "wall", "wall / floor", "CPU", "CPU / floor", "peak memory"]


def _most_referenced_segment(strategy: Path) -> tuple[str, int, int]:
    """The segment id written in the most files: (id, references, files)."""
    counts: collections.Counter[str] = collections.Counter()
    files: collections.Counter[str] = collections.Counter()
    for path in strategy.rglob("*.yaml"):
        found = re.findall(r"(?<![a-z0-9.-])(seg-[a-z0-9-]+)", path.read_text(encoding="utf-8"))
        counts.update(found)
        files.update(set(found))
    segment, references = counts.most_common(1)[0]
    return segment, references - 1, files[segment]


def _first_message(strategy: Path) -> str:
    for path in sorted((strategy / "marketing").rglob("*.yaml")):
        found = re.search(r"^  - id: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        if found is not None:
            return found.group(1)
    raise SystemExit("no message in the generated strategy")


def run(count: int, runs: int, workdir: Path) -> tuple[dict[str, Figure], str]:
    python = sys.executable
    repo = _repository(workdir, count)
    cache_home = workdir / f"cache-{count}"
    env = _environment(cache_home)
    stratlint = [python, "-m", "stratlint"]
    lock = repo / "strategy" / "stratlint.lock"
    if not lock.exists():
        subprocess.run([*stratlint, "lock", "strategy"], cwd=repo, env=env, check=True, capture_output=True)
    subprocess.run([*stratlint, "check", "strategy", "--format", "json"], cwd=repo, env=env, capture_output=True)
    segment, references, files = _most_referenced_segment(repo / "strategy")
    message = _first_message(repo / "strategy")
    about = f"'{segment}': {references:,} references in {files:,} files"
    figures = {name: Figure(name, []) for name in _LABELS}
    for number in range(runs):
        print(f"  run {number + 1}/{runs}", flush=True)
        figures["floor"].samples.append(measure([python, "-c", FLOOR, "strategy"], repo, env))
        figures["mv one"].samples.append(measure([*stratlint, "mv", message, f"{message}-x", "strategy"], repo, env))
        measure([*stratlint, "mv", f"{message}-x", message, "strategy"], repo, env)
        dry = [*stratlint, "mv", segment, f"{segment}-x", "strategy", "--dry-run"]
        figures["mv dry-run"].samples.append(measure(dry, repo, env))
        figures["mv"].samples.append(measure([*stratlint, "mv", segment, f"{segment}-x", "strategy"], repo, env))
        measure([*stratlint, "mv", f"{segment}-x", segment, "strategy"], repo, env)  # back, for the next run
    status = subprocess.run(["git", "status", "--porcelain", "--", "strategy"], cwd=repo, capture_output=True)
    if status.stdout.strip() not in (b"", b"?? strategy/stratlint.lock"):
        raise SystemExit(f"the strategy did not come back as it was:\n{status.stdout.decode()}")
    return figures, about


def render(count: int, figures: dict[str, Figure], runs: int, about: str) -> str:
    floor = figures["floor"]
    rows = [_row(figure, floor) for figure in figures.values()]
    widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(_HEADERS)]
    lines = [f"\n{count:,} artifacts, the segment {about} (medians of {runs} runs)"]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(_HEADERS, widths, strict=True)))
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines += ["", f"| Run | {count:,} artifacts |", "|---|---|"]
    for name, label in _LABELS.items():
        figure = figures[name]
        if name == "floor":
            lines.append(f"| {label} | {figure.wall:.2f} s, {figure.peak_mb:.0f} MB |")
        else:
            ratio = figure.wall / floor.wall
            lines.append(f"| {label} | **{ratio:.2f}x** ({figure.wall:.2f} s, {figure.peak_mb:.0f} MB) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark stratlint mv against libyaml.")
    parser.add_argument("--size", type=int, default=10000, help="artifacts (default 10,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5); medians are shown")
    parser.add_argument("--workdir", type=Path, default=None, help="where the generated repository is kept")
    args = parser.parse_args()
    # A repository of its own: the lock this benchmark writes would change what run.py measures.
    workdir = (args.workdir or Path(tempfile.gettempdir()) / "stratlint-bench") / "refactor"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"stratlint mv, {args.size:,} artifacts:", flush=True)
    figures, about = run(args.size, args.runs, workdir)
    print(render(args.size, figures, args.runs, about))


if __name__ == "__main__":
    main()
