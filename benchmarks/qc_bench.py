"""QC benchmark: recall and false alarms of every installed check over generated cases, and what QC costs per minute.

The cases come from tests/qc/corruptions.py: a small two-scene project built with the real command, its draft
takes (keyframe stills, clips rendered from the motion plans with the voices mixed in), model-like takes made
from them (smaller, re-encoded, softened, grained, graded, pushed in), and corruptions of both, each labelled
with the checks that must catch it. Prints, per check:

- recall: the share of the cases whose defect is labelled for the check that it failed (a check with nothing to
  say about such a case missed it);
- false alarms: the share of the cases that hold no defect for the check that it failed: every clean take, and
  every corruption labelled for other checks and not among the defects that may fairly set this one off (those
  are listed per kind in KINDS, e.g. black frames may set off identity, a letterboxed frame may set off
  leakage); such excused cases count neither way;
- silent: the cases it judged but had nothing to say about (no face in view for lip sync, no model for the
  embedding check);
- ms per take: mean wall time of the check alone on a take, its own decoding included;

and the CPU seconds the checks add per finished minute of the episode (every shot's keyframe, clip and cut,
with the checks sharing decoded frames as the build runs them) against FFmpeg decoding the same takes once.

    .venv/bin/python benchmarks/qc_bench.py [--cases N] [--work DIR] [--seed S] [--workers W] [--list-all] [--only a,b]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mangaline.checks import Take, run_checks, run_cut_checks  # noqa: E402
from mangaline.ffmpeg import ffmpeg_exe  # noqa: E402
from tests.qc.corruptions import (  # noqa: E402
    KINDS, Case, Judgement, Production, Suite, build_production, cpu_seconds, installed_checks, judge, make_case,
    outcome, plan_cases, read_production,
)

RECALL_GOAL = 0.95
FALSE_ALARM_GOAL = 0.05


def production_in(work: Path) -> Production:
    """The built project in ``work``: built now unless an earlier run left it there."""
    root = work / "pillar-room"
    if (root / "mangaline.toml").is_file() and (root / ".mangaline" / "state.db").is_file():
        return read_production(root, work / "suite")
    if root.exists():
        shutil.rmtree(root)
    return build_production(work)


def episode_minute(production: Production, suite: Suite, checks: list, base: str) -> tuple[float, float, float]:
    """(QC CPU seconds, FFmpeg decode CPU seconds, episode seconds) for every take of the episode at ``base``."""
    samples = []
    for shot in production.shots:
        for subject in ("image", "clip"):
            samples.append(suite.sample(make_case("clean", shot, production, base=base, subject=subject, seed=0)))
        nxt = production.next_in_scene(shot.code)
        if nxt is not None:
            samples.append(suite.sample(make_case("clean", shot, production, base=base, subject="cut", seed=0,
                                                  next_shot=nxt.code)))
    started = cpu_seconds()
    for sample in samples:
        takes = sample.takes()
        if sample.case.subject == "cut":
            run_cut_checks(takes[0], takes[1], sample.truths[0], sample.truths[1], checks)
        else:
            run_checks(takes[0], sample.truths[0], checks)
    qc = cpu_seconds() - started
    started = cpu_seconds()
    for sample in samples:
        if sample.case.subject == "cut":
            continue  # a cut's takes are the clips, decoded already
        for path in sample.paths:
            if Take(path).kind == "image":
                Take(path).image  # noqa: B018 - decoding is the point
            else:
                subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-f", "null", "-"], check=True)
    decode = cpu_seconds() - started
    return qc, decode, production.episode_seconds


def caught(case: Case, judgement: Judgement) -> bool:
    failed = [judgement.failed(name) for name in case.must if name in judgement.verdicts]
    if not failed:
        return False
    return any(failed) if case.any_of else all(failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=320, help="how many cases to generate (at least 300 for the figures)")
    parser.add_argument("--seed", type=int, default=0, help="draws the corruptions' shots, strengths and positions")
    parser.add_argument("--work", type=Path, help="keep the project and the generated takes here (reused when present)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="threads that make the cases (the checks are timed one case at a time)")
    parser.add_argument("--list-all", action="store_true", help="list every miss and false alarm, not the first 60")
    parser.add_argument("--only", help="judge only these checks (comma-separated names), e.g. while working on them")
    args = parser.parse_args()
    checks, missing = installed_checks()
    if args.only:
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = wanted - {c.name for c in checks}
        if unknown:
            parser.error(f"no installed check named {', '.join(sorted(unknown))}")
        checks = [c for c in checks if c.name in wanted]
    work = args.work or Path(tempfile.mkdtemp(prefix="mangaline-qc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        production = production_in(work)
        built = time.perf_counter() - started
        suite = Suite(production, work / "cases")
        cases = plan_cases(production, args.cases, seed=args.seed)
        started = time.perf_counter()
        production.prepare(workers=args.workers)
        with ThreadPoolExecutor(max_workers=args.workers) as pool:  # FFmpeg and numpy: outside the GIL
            samples = list(pool.map(suite.sample, cases))
        made = time.perf_counter() - started
        started = time.perf_counter()
        judgements = [judge(sample, checks) for sample in samples]
        judged = time.perf_counter() - started

        print("== QC benchmark (tests/qc/corruptions.py; goals: recall >= 95%, false alarms <= 5%) ==")
        kinds = Counter(c.kind for c in cases)
        bases = Counter(c.base for c in cases)
        subjects = Counter(c.subject for c in cases)
        print(f"cases              {len(cases)}: {kinds['clean']} clean, {len(cases) - kinds['clean']} corrupted; "
              f"{bases['draft']} draft, {bases['model']} model-like; "
              f"{subjects['image']} stills, {subjects['clip']} clips, {subjects['cut']} cuts")
        print(f"project            {len(production.shots)} shots, {production.episode_seconds:.1f} s "
              f"(built in {built:.0f} s); cases made in {made:.0f} s, judged in {judged:.0f} s")
        if missing:
            print(f"not installed      {len(missing)}: " + "; ".join(f"{n} ({why})" for n, why in sorted(missing.items())))
        print()
        print(f"{'check':20s} {'cases':>6s} {'defects':>8s} {'recall':>8s} {'draft|model':>13s} {'no-defect':>10s} "
              f"{'false al.':>10s} {'excused':>8s} {'silent':>7s} {'ms/take':>8s}  goals")
        misses, alarms = [], []
        for check in checks:
            name = check.name
            tally: Counter = Counter()
            seconds = []
            for j in judgements:
                if name not in j.verdicts:
                    continue
                tally["cases"] += 1
                seconds.append(j.seconds[name])
                verdict = j.verdicts[name]
                result = outcome(j.case, name, verdict)
                tally[result] += 1
                tally[f"{result}:{j.case.base}"] += 1
                tally["silent"] += verdict is None
                if result == "miss":
                    misses.append((name, j.case, verdict))
                elif result == "false_alarm":
                    alarms.append((name, j.case, verdict))
            defects = tally["hit"] + tally["miss"]
            clean = tally["pass"] + tally["false_alarm"]
            recall = tally["hit"] / defects if defects else None
            rate = tally["false_alarm"] / clean if clean else None
            ok = (recall is None or recall >= RECALL_GOAL) and (rate is None or rate <= FALSE_ALARM_GOAL)
            ms = 1000 * sum(seconds) / len(seconds) if seconds else 0.0
            by_base = "|".join(_pct(_share(tally[f"hit:{b}"], tally[f"hit:{b}"] + tally[f"miss:{b}"]), 0)
                               for b in ("draft", "model"))
            print(f"{name:20s} {tally['cases']:6d} {defects:8d} {_pct(recall):>8s} {by_base:>13s} {clean:10d} "
                  f"{_pct(rate):>10s} {tally['excused']:8d} {tally['silent']:7d} {ms:8.0f}  "
                  f"{'-' if recall is None and rate is None else 'met' if ok else 'NOT met'}")
        print()
        print("== caught, by kind of defect (any labelled check for mirrored and moved set pieces, else all) ==")
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for j in judgements:
            if not j.case.clean and any(name in j.verdicts for name in j.case.must):  # (--only: its checks judged it)
                by_kind[j.case.kind].append(caught(j.case, j))
        for kind in KINDS:
            if by_kind[kind]:
                hits = by_kind[kind]
                labels = "/".join(sorted(KINDS[kind].must))
                print(f"{kind:18s} {sum(hits):4d} / {len(hits):<4d} {_pct(sum(hits) / len(hits)):>7s}   ({labels})")

        print()
        print("== time QC adds per finished minute (CPU seconds: this process and its FFmpeg children) ==")
        for base in ("draft", "model"):
            qc, decode, seconds = episode_minute(production, suite, checks, base)
            minutes = seconds / 60
            print(f"{base:6s} takes: QC {qc:6.1f} s for {seconds:.1f} s of episode -> {qc / minutes:6.1f} CPU s per "
                  f"finished minute; FFmpeg decoding the same takes once {decode / minutes:5.1f} s/min "
                  f"-> QC = {qc / decode if decode else float('nan'):.1f}x one decode")

        limit = None if args.list_all else 60
        for title, rows in (("missed defects", misses), ("false alarms", alarms)):
            print()
            print(f"== {title}: {len(rows)} ==")
            for name, case, verdict in rows[:limit]:
                said = "no verdict" if verdict is None else f"score {verdict.score:.3f}: {verdict.reason}"
                print(f"{name:18s} {case.describe()} -> {said}")
            if limit is not None and len(rows) > limit:
                print(f"... {len(rows) - limit} more (--list-all)")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


if __name__ == "__main__":
    main()
