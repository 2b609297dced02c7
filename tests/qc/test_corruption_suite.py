"""Each QC check catches the defects it is for and passes clean takes: the corruption suite on a small real project.

The project is built once with the real command (tests/qc/corruptions.py). Every kind of defect is judged on a
draft take and on a model-like one by the checks labelled for it; every clean take (each shot's keyframe and
clip, model-like ones, and the cuts inside each scene) by every installed check. benchmarks/qc_bench.py runs the
same suite over hundreds of cases for recall and false-alarm rates.
"""

from __future__ import annotations

import os

import pytest

from mangaline.checks import Take
from mangaline.model.qc import Verdict
from tests.qc.corruptions import (
    CLEAN, KINDS, Case, Judgement, Production, Suite, applies, build_production, installed_checks, judge_all,
    make_case, outcome,
)

pytestmark = pytest.mark.slow

SHOTS = 8  # the suite's screenplay plans eight shots: four in the station hall, four on the platform

# (kind, subject, base): every defect on a draft take and on a model-like take, stills where the defect has a still form
DEFECTS = [(kind, spec.subjects[0], "draft") for kind, spec in KINDS.items()] + \
          [(kind, spec.subjects[-1], "model") for kind, spec in KINDS.items()]

KNOWN_MISSES: dict[tuple[str, str, str], str] = {}
"""Cases a check is known to miss, by (kind, subject, base), with why: xfails (not strict while the checks are being tuned: `-rxX` lists which now pass)."""

# (subject, base, shot index): each shot's draft keyframe and clip, and model-like takes of a wide, a two-shot and a
# speaking close shot
CLEAN_TAKES = [(subject, "draft", i) for i in range(SHOTS) for subject in ("image", "clip")] + \
              [("clip", "model", i) for i in (0, 1, 7)] + [("image", "model", i) for i in (4, 2)]

KNOWN_FALSE_ALARMS: dict[tuple[str, str, int], str] = {}
"""Clean takes a check is known to fail, by (subject, base, shot index), with why."""


WORKERS = max(2, os.cpu_count() or 1)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Production:
    made = build_production(tmp_path_factory.mktemp("corruption-suite"))
    made.prepare(workers=WORKERS)
    return made


@pytest.fixture(scope="module")
def suite(production: Production) -> Suite:
    return Suite(production)


@pytest.fixture(scope="module")
def checks() -> list:
    return installed_checks()[0]


def defect_case(production: Production, kind: str, subject: str, base: str) -> Case:
    """The case of ``kind`` the test judges: on one of the shortest shots that can carry it (cheap to make and judge)."""
    shots = sorted((s for s in production.shots if applies(kind, s, production)), key=lambda s: (s.frames, s.code))
    assert shots, f"no shot of the suite can carry {kind}"
    shot = shots[(list(KINDS).index(kind) + (base == "model")) % min(2, len(shots))]
    nxt = None
    if subject == "cut":
        following = production.next_in_scene(shot.code)
        if kind == "discontinuity" or following is None:
            shot = next(s for s in shots if s.frames >= 30)  # a continued action: the shot split in two
        else:
            nxt = following.code
    return make_case(kind, shot, production, base=base, subject=subject, seed=7, next_shot=nxt)


def clean_cases(production: Production) -> list[Case]:
    cases = [make_case(CLEAN, production.shots[i], production, base=base, subject=subject, seed=0)
             for subject, base, i in CLEAN_TAKES]
    for base in ("draft", "model"):
        cases += [make_case(CLEAN, shot, production, base=base, subject="cut", seed=0, next_shot=nxt.code)
                  for shot in production.shots if (nxt := production.next_in_scene(shot.code)) is not None]
        cases.append(make_case(CLEAN, production.shots[2], production, base=base, subject="cut", seed=0))
    return cases


@pytest.fixture(scope="module")
def judged(production: Production, suite: Suite, checks: list) -> dict[str, Judgement | Exception]:
    """Every case of the module made and judged at once, in threads: defects by their labelled checks, clean takes by
    every check."""
    defects = [defect_case(production, *p) for p in DEFECTS]
    results = judge_all(suite, defects, checks, workers=WORKERS, only_labelled=True)
    results.update(judge_all(suite, clean_cases(production), checks, workers=WORKERS))
    return results


def test_every_registered_check_loads() -> None:
    _found, missing = installed_checks()
    assert not missing, "QC checks registered but not loadable: " + "; ".join(f"{n}: {why}" for n, why in missing.items())


def _said(verdicts: dict[str, Verdict | None]) -> str:
    return "; ".join(f"{name}: " + ("nothing to say" if v is None else f"{'passed' if v.passed else 'FAILED'} "
                                    f"{v.score:.2f} {v.reason}") for name, v in verdicts.items())


def _marked(params: list[tuple], known: dict) -> list:
    return [pytest.param(*p, id="-".join(map(str, p)),
                         marks=[pytest.mark.xfail(strict=False, reason=known[p])] if p in known else [])
            for p in params]


def _judgement(judged: dict[str, Judgement | Exception], case: Case) -> Judgement:
    found = judged[case.id]
    if isinstance(found, Exception):
        raise found
    return found


def test_the_screenplay_plans_the_shots_the_suite_counts_on(production: Production) -> None:
    assert len(production.shots) == SHOTS
    assert any("pillar" in s.truth.element_masks() for s in production.shots), "no shot sees the pillar"
    assert sum(bool(s.lines) for s in production.shots) >= 4
    assert len(production.characters) == 3 and set(production.sheets) == set(production.characters)


@pytest.mark.parametrize(("kind", "subject", "base"), _marked(DEFECTS, KNOWN_MISSES))
def test_the_labelled_check_catches_the_defect(production: Production, judged: dict, kind: str, subject: str,
                                               base: str) -> None:
    case = defect_case(production, kind, subject, base)
    assert case.must, f"{case.describe()} is labelled for no check"
    judgement = _judgement(judged, case)
    assert set(judgement.verdicts) == set(case.must), \
        f"{case.describe()}: {sorted(case.must - set(judgement.verdicts))} not installed, or not judging {subject}s"
    caught = [judgement.failed(name) for name in sorted(case.must)]
    assert (any(caught) if case.any_of else all(caught)), f"{case.describe()} was not caught: {_said(judgement.verdicts)}"


@pytest.mark.parametrize(("subject", "base", "index"), _marked(CLEAN_TAKES, KNOWN_FALSE_ALARMS))
def test_a_clean_take_passes_every_check(production: Production, judged: dict, subject: str, base: str,
                                         index: int) -> None:
    case = make_case(CLEAN, production.shots[index], production, base=base, subject=subject, seed=0)
    judgement = _judgement(judged, case)
    assert judgement.verdicts, f"{case.describe()}: no check judged it"
    alarms = {n: v for n, v in judgement.verdicts.items() if outcome(case, n, v) == "false_alarm"}
    assert not alarms, f"{case.describe()} failed: {_said(alarms)}"


@pytest.mark.parametrize("base", ["draft", "model"])
def test_the_cuts_inside_each_scene_and_a_continued_action_pass_the_cut_checks(production: Production, judged: dict,
                                                                              base: str) -> None:
    alarms = []
    for case in (c for c in clean_cases(production) if c.subject == "cut" and c.base == base):
        judgement = _judgement(judged, case)
        assert judgement.verdicts, f"{case.describe()}: no cut check judged it"
        failed = {n: v for n, v in judgement.verdicts.items() if outcome(case, n, v) == "false_alarm"}
        if failed:
            alarms.append(f"{case.describe()}: {_said(failed)}")
    assert not alarms, "\n".join(alarms)


def test_a_model_like_take_differs_from_the_draft_as_a_model_would(production: Production, suite: Suite) -> None:
    index = next(i for _s, _b, i in CLEAN_TAKES if _b == "model" and production.shots[i].lines)
    shot = production.shots[index]
    draft = Take(suite.sample(make_case(CLEAN, shot, production, base="draft", subject="clip", seed=0)).paths[0])
    model = Take(suite.sample(make_case(CLEAN, shot, production, base="model", subject="clip", seed=0)).paths[0])
    assert model.size != draft.size and abs(model.size[0] / model.size[1] - 9 / 16) < 0.01
    assert abs(model.duration - draft.duration) < 0.05 and model.audio is not None
    small = draft.frames(3, width=model.size[0])
    assert all(abs(a.astype(int) - b.astype(int)).mean() < 20 for a, b in zip(small, model.frames(3), strict=True))
    assert model.path.stat().st_size < draft.path.stat().st_size
