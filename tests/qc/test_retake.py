"""The retake policy: new seed, then reroute, bounded by max_retakes."""

from __future__ import annotations

import pytest

from mangaline.model.qc import RetakePolicy, TakeRecord


def fail(model: str, seed: int, refused: bool = False) -> TakeRecord:
    return TakeRecord(model, seed, False, "black", refused=refused)


def test_a_failed_take_gets_a_new_seed_then_the_next_model_then_stops() -> None:
    policy = RetakePolicy(max_retakes=3)
    history = [fail("a", 0)]
    assert (policy.next_move(history).kind, policy.next_move(history).seed) == ("seed", 1)
    history.append(fail("a", 1))
    assert policy.next_move(history).kind == "reroute"
    history.append(fail("b", 0))
    assert (policy.next_move(history).kind, policy.next_move(history).seed) == ("seed", 1)
    history.append(fail("b", 1))
    move = policy.next_move(history)
    assert move.kind == "stop" and "4 take(s) failed" in move.reason


def test_a_passing_take_is_accepted_and_a_refusal_reroutes_at_once() -> None:
    policy = RetakePolicy(max_retakes=2)
    assert policy.next_move([fail("a", 0), TakeRecord("a", 1, True)]).kind == "accept"
    assert policy.next_move([fail("a", 0, refused=True)]).kind == "reroute"


@pytest.mark.parametrize("max_retakes", [0, 1, 2, 5])
def test_never_more_than_one_plus_max_retakes_takes(max_retakes: int) -> None:
    policy = RetakePolicy(max_retakes=max_retakes)
    history = [fail("m0", 0)]
    models = 0
    while (move := policy.next_move(history)).kind != "stop":
        if move.kind == "reroute":
            models += 1
            history.append(fail(f"m{models}", 0))
        else:
            history.append(fail(history[-1].model, move.seed))
    assert len(history) == 1 + max_retakes


def test_the_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        RetakePolicy(max_retakes=-1)
    with pytest.raises(ValueError):
        RetakePolicy(max_retakes=1).next_move([])
