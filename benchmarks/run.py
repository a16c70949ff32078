"""Benchmark stratlint against the floor (libyaml composing the same files) and its peers.

    python benchmarks/run.py                      # 1,000, 10,000 and 50,000 artifacts, 5 runs each
    python benchmarks/run.py --sizes 1000,10000 --runs 3 --no-peers
    python benchmarks/run.py --sizes 10000 --profile "one edit"   # one row's top 20 functions

For each size it generates a strategy repository (benchmarks/generate.py, seed 1), then,
each measurement in a fresh process and interleaved run by run so that a busy machine
slows them all alike:

- floor: PyYAML's libyaml composer (yaml.compose with CSafeLoader) over the same files;
- cold: a full ``stratlint check`` with an empty cache;
- cold, one process: the same with ``--jobs 1``, to show what the second core brings;
- cold, 50 policy rules: the same cold check with an organisation's policy of 50 rules
  (benchmarks/generate.py ``policy_config``), to show what a policy costs;
- warm: the same run again, nothing changed;
- one edit: the run after editing one file (a reworded title);
- one reference changed: the run after changing what one file references (an item now
  serves another priority), which also re-runs the strategy-wide rules;
- a new plan file added, the value definition reworded, the narrative reworded: the runs
  after each (the last two change what every plan depends on);
- start-up: ``stratlint --version``, and ``stratlint check`` on an empty strategy;
- peers: yamllint on the same folder, check-jsonschema on the roadmap files (installed by
  the ``bench`` extra; skipped with a note when absent).

It prints medians of wall time, CPU time (user + system, workers included) and peak
memory (the largest proportional set size of the process and its workers, sampled, or
the peak resident size when that is larger), each also as a ratio to the floor of the
same size in the same invocation, so the figures hold on a noisy machine. At the end, a
Markdown table ready for the README, and the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from benchmarks.generate import POLICY_RULES, generate, policy_config  # noqa: E402

SEED = 1
DEFAULT_SIZES = (1000, 10000, 50000)

FLOOR = """
import os, sys, yaml
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), "rb") as handle:
                yaml.compose(handle.read(), Loader=yaml.CSafeLoader)
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mb: float


@dataclass
class Figure:
    name: str
    samples: list[Sample]

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return statistics.median(s.peak_mb for s in self.samples)


# -- measuring one process ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _MemorySampler(threading.Thread):
    """Samples the summed proportional set size of a process tree (Linux only)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            tree, total = [self.pid], 0
            while tree:
                pid = tree.pop()
                total += _pss_kb(pid)
                tree += _children(pid)
            self.peak_kb = max(self.peak_kb, total)


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        sampler = _MemorySampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:4])} ... failed with status {process.returncode}:\n{stderr}")
    peak_kb = max(usage.ru_maxrss, sampler.peak_kb)
    return Sample(wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024)


# -- the run --------------------------------------------------------------------------------


def _repository(workdir: Path, count: int, *, name: str = "", then: Callable[[Path], object] | None = None) -> Path:
    """A generated repository of ``count`` artifacts, reused when already there; ``then``,
    when given, finishes a new one (``name`` tells such repositories apart)."""
    out = workdir / f"strategy-{count}{name}"
    stamp = out / ".generated"
    tag = f"{count}:{SEED}:{(PROJECT / 'benchmarks' / 'generate.py').stat().st_mtime_ns}"
    if not (stamp.exists() and stamp.read_text() == tag):
        shutil.rmtree(out, ignore_errors=True)
        print(f"  generating {count:,} artifacts...", flush=True)
        generate(out, count, SEED, git=True)
        if then is not None:
            then(out)
        stamp.write_text(tag)
    return out


def _edit(path: Path, number: int) -> None:
    """Change one file as a person would: reword a title."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("title: "):
            lines[index] = f"title: Reworded title, edit {number}\n"
            break
    path.write_text("".join(lines), encoding="utf-8")


def _retarget(path: Path, priorities: Path) -> None:
    """Change what one file references, as a person would: the first item now serves
    another growth priority."""
    known = re.findall(r"^  - id: (\S+)$", priorities.read_text(encoding="utf-8"), re.MULTILINE)
    text = path.read_text(encoding="utf-8")
    found = re.search(r"^    priority: (\S+)$", text, re.MULTILINE)
    if found is None or len(known) < 2:
        raise SystemExit(f"cannot retarget a priority in {path}")
    other = next(item for item in known if item != found.group(1))
    path.write_text(text[: found.start(1)] + other + text[found.end(1) :], encoding="utf-8")


def _reword(path: Path, field: str, number: int) -> None:
    """Reword the first ``field:`` of a strategy-wide file (a segment's name, a claim's
    statement), as a strategy owner would."""
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"^(\s+){field}: (.+)$", text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"no '{field}:' to reword in {path}")
    path.write_text(text[: found.start(2)] + f"Reworded, edit {number}" + text[found.end(2) :], encoding="utf-8")


def _added(source: Path, target: Path) -> None:
    """A new plan file: a copy of ``source`` whose ids are new."""
    text = source.read_text(encoding="utf-8")
    target.write_text(re.sub(r"^(\s*(?:- )?id: )(\S+)$", r"\1\2-added", text, flags=re.MULTILINE), encoding="utf-8")


def _environment(cache_home: Path) -> dict[str, str]:
    """The environment every measured command runs in: this source tree, a cache of its own,
    and Python's bytecode cache on, as an installed package has it (pip compiles on install;
    without it each run would compile stratlint's modules again)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    env["XDG_CACHE_HOME"] = str(cache_home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PROJECT / "stratlint")], env=env, check=False)
    return env


def _module_available(python: str, module: str) -> bool:
    probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([python, "-c", probe], check=False).returncode == 0


def run_size(count: int, runs: int, peer_runs: int, workdir: Path, peers: bool) -> dict[str, Figure]:
    python = sys.executable
    repo = _repository(workdir, count)
    cache_home = workdir / f"cache-{count}"
    env = _environment(cache_home)
    check = [python, "-m", "stratlint", "check", "strategy", "--format", "json"]
    policy = repo / f"policy-{POLICY_RULES}.toml"
    policy.write_text(policy_config(), encoding="utf-8")
    with_policy = [*check, "--config", policy.name]
    edited = sorted((repo / "strategy" / "product").rglob("*.yaml"))[0]
    added = edited.with_name("added-by-the-benchmark.yaml")
    value, narrative = repo / "strategy" / "value.yaml", repo / "strategy" / "narrative.yaml"
    originals = {path: path.read_bytes() for path in (edited, value, narrative)}
    empty = workdir / "empty-strategy"
    empty.mkdir(exist_ok=True)

    figures = {name: Figure(name, []) for name in _LABELS}
    try:
        for run in range(runs):
            print(f"  run {run + 1}/{runs}", flush=True)
            figures["floor"].samples.append(measure([python, "-c", FLOOR, "strategy"], repo, env))
            figures["start-up"].samples.append(measure([python, "-m", "stratlint", "--version"], repo, env))
            figures["start-up, empty strategy"].samples.append(
                measure([python, "-m", "stratlint", "check", str(empty), "--no-cache"], repo, env)
            )
            shutil.rmtree(cache_home, ignore_errors=True)
            figures["cold, one process"].samples.append(measure([*check, "--jobs", "1"], repo, env))
            shutil.rmtree(cache_home, ignore_errors=True)
            figures["cold, 50 policy rules"].samples.append(measure(with_policy, repo, env))
            shutil.rmtree(cache_home, ignore_errors=True)
            figures["cold"].samples.append(measure(check, repo, env))
            figures["warm"].samples.append(measure(check, repo, env))
            _edit(edited, run)
            figures["one edit"].samples.append(measure(check, repo, env))
            _retarget(edited, repo / "strategy" / "priorities.yaml")
            figures["one reference changed"].samples.append(measure(check, repo, env))
            _added(edited, added)
            figures["a new file added"].samples.append(measure(check, repo, env))
            added.unlink()
            _reword(value, "name", run)
            figures["value file edited"].samples.append(measure(check, repo, env))
            _reword(narrative, "statement", run)
            figures["narrative file edited"].samples.append(measure(check, repo, env))
            for path, content in originals.items():
                path.write_bytes(content)
            measure(check, repo, env)  # back to the committed strategy, for the next run's cold check
    finally:
        for path, content in originals.items():
            path.write_bytes(content)
        added.unlink(missing_ok=True)

    if peers:
        roadmaps = [str(path.relative_to(repo)) for path in sorted((repo / "strategy" / "product").rglob("*.yaml"))]
        schema = PROJECT / "schemas" / "roadmap.schema.json"
        for name, module, command in (
            ("yamllint", "yamllint", [python, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", "strategy"]),
            (
                "jsonschema",
                "check_jsonschema",
                [python, "-m", "check_jsonschema", "--schemafile", str(schema), *roadmaps],
            ),
        ):
            if not _module_available(python, module):
                print(f"  {name}: skipped, not installed (pip install -e '.[bench]')", flush=True)
                continue
            for _ in range(peer_runs):
                figures[name].samples.append(measure(command, repo, env))
    return {name: figure for name, figure in figures.items() if figure.samples}


def _row(figure: Figure, floor: Figure) -> list[str]:
    return [
        figure.name,
        f"{figure.wall:.2f} s",
        f"{figure.wall / floor.wall:.2f}x",
        f"{figure.cpu:.2f} s",
        f"{figure.cpu / floor.cpu:.2f}x",
        f"{figure.peak_mb:.0f} MB",
    ]


_HEADERS = ["run", "wall", "wall / floor", "CPU", "CPU / floor", "peak memory"]
_LABELS = {
    "floor": "floor: libyaml compose",
    "start-up": "start-up (`stratlint --version`)",
    "start-up, empty strategy": "start-up, `stratlint check` on an empty strategy",
    "cold": "`stratlint check`, cold cache",
    "cold, one process": "cold cache, `--jobs 1`",
    "cold, 50 policy rules": f"cold cache, {POLICY_RULES} policy rules",
    "warm": "warm cache, nothing changed",
    "one edit": "warm cache, one file edited",
    "one reference changed": "warm cache, one reference changed",
    "a new file added": "warm cache, a new plan file added",
    "value file edited": "warm cache, the value definition reworded",
    "narrative file edited": "warm cache, the narrative reworded",
    "yamllint": "yamllint (same folder)",
    "jsonschema": "check-jsonschema (roadmap files only)",
}


def render(results: dict[int, dict[str, Figure]], runs: int) -> str:
    lines = []
    for count, figures in results.items():
        floor = figures["floor"]
        peer_runs = len(figures["yamllint"].samples) if "yamllint" in figures else 0
        lines.append(f"\n{count:,} artifacts (medians of {runs} runs; peers: {peer_runs} runs)")
        rows = [_row(figure, floor) for figure in figures.values()]
        widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(_HEADERS)]
        lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(_HEADERS, widths, strict=True)))
        for row in rows:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def markdown(results: dict[int, dict[str, Figure]]) -> str:
    sizes = list(results)
    header = "| Run | " + " | ".join(f"{count:,} artifacts" for count in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]
    for name, label in _LABELS.items():
        cells = []
        for count in sizes:
            figure, floor = results[count].get(name), results[count]["floor"]
            if figure is None:
                cells.append("skipped")
            elif name == "floor":
                cells.append(f"{figure.wall:.2f} s, {figure.peak_mb:.0f} MB")
            else:
                cells.append(f"**{figure.wall / floor.wall:.2f}x** ({figure.wall:.2f} s, {figure.peak_mb:.0f} MB)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


TARGETS_AT = 10000


def targets(results: dict[int, dict[str, Figure]]) -> str:
    """Each target, met or not (stated at 10,000 artifacts, on a 2-core machine)."""
    lines = ["Targets:"]
    if TARGETS_AT not in results:
        lines.append("  the targets are stated at 10,000 artifacts: run with --sizes including 10000")
    else:
        figures = results[TARGETS_AT]

        def verdict(ok: bool) -> str:
            return "met" if ok else "NOT met"

        ratio = figures["cold"].wall / figures["floor"].wall
        lines.append(f"  cold check within 1.0x the floor: {ratio:.2f}x -> {verdict(ratio <= 1.0)}")
        start = figures["start-up"].wall
        for name in ("one edit", "one reference changed", "a new file added"):
            took = figures[name].wall
            lines.append(
                f"  {name}: {took:.2f} s = start-up {start:.2f} s + {took - start:.2f} s "
                f"(target start-up + 0.15 s) -> {verdict(took - start <= 0.15)}"
            )
        changed = figures["one reference changed"].wall
        lines.append(f"  one reference changed within 0.5 s in all: {changed:.2f} s -> {verdict(changed <= 0.5)}")
        for name in ("start-up", "start-up, empty strategy"):
            took = figures[name].wall
            lines.append(f"  {name} within 0.12 s: {took:.2f} s -> {verdict(took <= 0.12)}")
        cold, policy = figures["cold"].wall, figures["cold, 50 policy rules"].wall
        added = policy / cold - 1
        lines.append(
            f"  {POLICY_RULES} policy rules add under 20% to a cold check of 10,000: {policy:.2f} s against "
            f"{cold:.2f} s, {100 * added:+.0f}% -> {'met' if added < 0.2 else 'NOT met'}"
        )
        peak = figures["cold"].peak_mb
        lines.append(f"  peak memory at 10,000 under 250 MB: {peak:.0f} MB -> {verdict(peak < 250)}")
    if 50000 in results:
        peak = results[50000]["cold"].peak_mb
        lines.append(f"  peak memory at 50,000 under 1 GB: {peak:.0f} MB -> {'met' if peak < 1024 else 'NOT met'}")
    sizes = sorted(results)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        per_small = results[small]["cold"].wall / small
        per_large = results[large]["cold"].wall / large
        floor_small = results[small]["floor"].wall / small
        floor_large = results[large]["floor"].wall / large
        lines.append(
            f"  growth from {small:,} to {large:,}: cold check {per_large / per_small:.2f}x the time per artifact "
            f"(the floor: {floor_large / floor_small:.2f}x); linear is 1.0x or less"
        )
    return "\n".join(lines)


PROFILED = """
import cProfile, pstats, sys
from stratlint.cli import cli
profile = cProfile.Profile()
profile.enable()
try:
    cli.main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
profile.disable()
print("", file=sys.stderr)
pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(20)
"""

PROFILE_ROWS = ("cold", "cold, one process", "warm", "one edit", "one reference changed")


def profile_row(row: str, count: int, workdir: Path) -> None:
    """Run one row's command under cProfile, in the state the row measures, and print the
    20 functions that took the most time of their own."""
    python = sys.executable
    repo = _repository(workdir, count)
    cache_home = workdir / f"cache-{count}"
    env = _environment(cache_home)
    args = ["check", "strategy", "--format", "json"] + (["--jobs", "1"] if row == "cold, one process" else [])
    edited = sorted((repo / "strategy" / "product").rglob("*.yaml"))[0]
    original = edited.read_bytes()
    shutil.rmtree(cache_home, ignore_errors=True)
    try:
        if not row.startswith("cold"):
            subprocess.run([python, "-m", "stratlint", *args], cwd=repo, env=env, capture_output=True, check=False)
        if row == "one edit":
            _edit(edited, 0)
        elif row == "one reference changed":
            _retarget(edited, repo / "strategy" / "priorities.yaml")
        print(f"{row}, {count:,} artifacts: the 20 functions with the most time of their own", flush=True)
        completed = subprocess.run(
            [python, "-c", PROFILED, *args], cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        print(completed.stderr.decode("utf-8", "replace"))
    finally:
        edited.write_bytes(original)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark stratlint against libyaml and its peers.")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="artifact counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5); medians are shown")
    parser.add_argument(
        "--peer-runs", type=int, default=None, help="runs per peer (default: 3, and 1 from 50,000 artifacts)"
    )
    parser.add_argument("--no-peers", action="store_true", help="skip yamllint and check-jsonschema")
    parser.add_argument("--workdir", type=Path, default=None, help="where generated repositories are kept")
    parser.add_argument("--json", type=Path, default=None, help="also write the medians to this JSON file")
    parser.add_argument(
        "--profile",
        choices=PROFILE_ROWS,
        default=None,
        help="instead of measuring, profile one row at the first size and print its top 20 functions",
    )
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    workdir = args.workdir or Path(tempfile.gettempdir()) / "stratlint-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    if args.profile:
        profile_row(args.profile, sizes[0], workdir)
        return
    print(f"stratlint benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, work folder {workdir}")
    results: dict[int, dict[str, Figure]] = {}
    for count in sizes:
        print(f"{count:,} artifacts", flush=True)
        peer_runs = args.peer_runs if args.peer_runs is not None else (1 if count >= 50000 else min(3, args.runs))
        results[count] = run_size(count, args.runs, peer_runs, workdir, not args.no_peers)
    print(render(results, args.runs))
    print("\nMarkdown (for the README):\n")
    print(markdown(results))
    print()
    print(targets(results))
    if args.json:
        document = {
            str(count): {name: {"wall": f.wall, "cpu": f.cpu, "peak_mb": f.peak_mb} for name, f in figures.items()}
            for count, figures in results.items()
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
