"""Benchmark the HTML report and the trend over git history, each against a plain check
measured in the same invocation (the ratios hold on a noisy machine).

    python benchmarks/history.py                       # the issue's sizes
    python benchmarks/history.py --report-sizes 1000 --commits 200 --artifacts 1000

- report: ``stratlint report --html`` on a generated strategy of 1,000 and 10,000
  artifacts, cold (no cache), with the page's size, beside ``stratlint check --no-cache``;
- trend: a history of N commits over a generated strategy, each commit editing a few
  files (written with ``git fast-import``), then ``stratlint trend`` with an empty cache,
  and again after one more commit. Targets: under 60 s and under 2 s on the 2-core machine.

Each measurement is a fresh process; wall times are medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.generate import generate  # noqa: E402

TREND_TARGET, RERUN_TARGET = 60.0, 2.0
_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _env(cache: Path) -> dict[str, str]:
    env = {**os.environ, **_IDENTITY, "XDG_CACHE_HOME": str(cache)}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr.decode()[-2000:]}")
    return wall


def stratlint(*args: str) -> list[str]:
    return [sys.executable, "-m", "stratlint", *args]


def median(command: list[str], cwd: Path, env: dict[str, str], runs: int, before: object = None) -> float:
    samples = []
    for _ in range(runs):
        if callable(before):
            before()
        samples.append(timed(command, cwd, env))
    return statistics.median(samples)


def bench_report(sizes: list[int], runs: int, workdir: Path) -> list[str]:
    rows = [
        "| artifacts | entries | check --no-cache | report --html | ratio | page size | per 1,000 entries |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count in sizes:
        out = workdir / f"report-{count}"
        if not (out / "strategy").exists():
            generate(out, count, 1, git=True)
        env = _env(workdir / f"cache-{count}")
        page = workdir / f"report-{count}.html"
        check = median(stratlint("check", "--no-cache"), out, env, runs)
        report = median(stratlint("report", "--html", str(page), "--no-cache"), out, env, runs)
        size = page.stat().st_size
        entries = page.read_text(encoding="utf-8").count('<details class="item entry"')
        per = size / max(entries, 1) * 1000 / 1e6
        rows.append(
            f"| {count:,} | {entries:,} | {check:.2f} s | {report:.2f} s | {report / check:.2f} | {size / 1e6:.2f} MB "
            f"| {per:.2f} MB (target 3 MB) |"
        )
        print(rows[-1], flush=True)
    return rows


def build_history(out: Path, artifacts: int, commits: int, per_commit: int = 3, seed: int = 1) -> None:
    """A generated strategy, then ``commits`` commits each editing ``per_commit`` files."""
    strategy = generate(out, artifacts, seed, git=True)
    branch = subprocess.run(["git", "symbolic-ref", "HEAD"], cwd=out, capture_output=True, text=True, check=True)
    ref = branch.stdout.strip().encode()
    files = sorted(path for path in strategy.rglob("*.yaml"))[4:]  # leave the core files alone
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    chooser = random.Random(seed)
    stream: list[bytes] = []
    when = 1_800_000_000
    for number in range(commits):
        message = f"edit {number}".encode()
        stream.append(b"commit %s\n" % ref)
        stream.append(f"committer bench <bench@example.com> {when + number * 60} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(message), message))
        if number == 0:
            stream.append(b"from %s^0\n" % ref)
        for path in chooser.sample(files, per_commit):
            texts[path] += f"# edit {number}\n"
            data = texts[path].encode()
            relpath = path.relative_to(out).as_posix().encode()
            stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (relpath, len(data), data))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=out, input=b"".join(stream), check=True, env=_env(out))
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=out, check=True, env=_env(out))


def one_more_commit(out: Path, number: int) -> None:
    path = sorted((out / "strategy").rglob("*.yaml"))[-1]
    path.write_text(path.read_text(encoding="utf-8") + f"# more {number}\n", encoding="utf-8")
    env = _env(out)
    subprocess.run(["git", "commit", "-qam", f"more {number}"], cwd=out, check=True, env=env)


def bench_trend(artifacts: int, commits: int, workdir: Path) -> tuple[list[str], bool]:
    out = workdir / f"history-{artifacts}-{commits}"
    shutil.rmtree(out, ignore_errors=True)
    print(f"  building {commits:,} commits over {artifacts:,} artifacts...", flush=True)
    build_history(out, artifacts, commits)
    cache = workdir / f"trend-cache-{artifacts}-{commits}"
    shutil.rmtree(cache, ignore_errors=True)
    env = _env(cache)
    check = median(stratlint("check", "--no-cache"), out, env, 3)
    full = timed(stratlint("trend", "--format", "json"), out, env)
    one_more_commit(out, 1)
    rerun = timed(stratlint("trend", "--format", "json"), out, env)
    met = full < TREND_TARGET and rerun < RERUN_TARGET
    rows = [
        "| history | check --no-cache | trend, empty cache | trend after one more commit |",
        "|---|---:|---:|---:|",
        f"| {commits + 1:,} commits, {artifacts:,} artifacts | {check:.2f} s "
        f"| {full:.1f} s ({full / check:.1f}x check; "
        f"target {TREND_TARGET:.0f} s) | {rerun:.2f} s ({rerun / check:.2f}x check; target {RERUN_TARGET:.0f} s) |",
    ]
    print(rows[-1], flush=True)
    return rows, met


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark stratlint report and stratlint trend.")
    parser.add_argument("--report-sizes", default="1000,10000", help="artifact counts for the report, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per report measurement (median)")
    parser.add_argument("--artifacts", type=int, default=1000, help="artifacts of the trend's strategy")
    parser.add_argument("--commits", type=int, default=1000, help="commits of the trend's history")
    parser.add_argument("--workdir", type=Path, default=None, help="where generated repositories are kept")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="stratlint-history-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    lines = []
    if args.report_sizes:
        lines += bench_report([int(size) for size in args.report_sizes.split(",")], args.runs, workdir)
        lines.append("")
    met = True
    if args.commits:
        rows, met = bench_trend(args.artifacts, args.commits, workdir)
        lines += rows
    print("\n" + "\n".join(lines))
    print(f"\ntrend targets {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
