"""The mutation run's sample mode (pcn_evidence.tools.mutation), without running cosmic-ray.

A sample must be reproducible (the same seed and code give the same mutants, whatever ids cosmic-ray drew) and
its score reported with an interval that is right on known cases.
"""

from __future__ import annotations

import pytest

from pcn_evidence.tools.mutation import Mutant, sample, sample_line, wilson_interval


def mutants(count: int, id_prefix: str = "job") -> list[Mutant]:
    """``count`` mutants over two modules and two operators; ``id_prefix`` stands for a session's random job ids."""
    return [Mutant(f"{id_prefix}-{n}", f"src/pcn_evidence/{'load' if n % 2 else 'schema'}.py",
                   f"core/Op{n % 3}", n, (n + 1, 0), (n + 1, 4)) for n in range(count)]


def test_the_same_seed_picks_the_same_mutants_whatever_their_ids_and_order():
    first = sample(mutants(300, "a"), 40, seed=7)
    again = sample(list(reversed(mutants(300, "b"))), 40, seed=7)  # another session: new ids, another order
    assert [m.order for m in first] == [m.order for m in again]
    assert len(first) == 40 and len({m.order for m in first}) == 40  # no mutant twice


def test_another_seed_picks_other_mutants():
    assert [m.order for m in sample(mutants(300), 40, seed=7)] != [m.order for m in sample(mutants(300), 40, seed=8)]


def test_a_sample_is_drawn_only_from_the_mutants_to_test_and_kept_in_their_order():
    pool = mutants(300)
    picked = sample(pool, 40, seed=1)
    assert {m.job_id for m in picked} <= {m.job_id for m in pool}
    assert picked == sorted(picked, key=lambda m: m.order)


def test_a_sample_as_large_as_the_pool_is_the_whole_pool():
    pool = mutants(12)
    assert sample(pool, 12, seed=3) == sorted(pool, key=lambda m: m.order)
    assert sample(pool, 500, seed=3) == sorted(pool, key=lambda m: m.order)


@pytest.mark.parametrize(("killed", "tested", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (the Wilson score interval)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_the_wilson_interval_of_known_cases(killed, tested, low, high):
    assert [round(bound, 4) for bound in wilson_interval(killed, tested)] == [low, high]


def test_every_mutant_killed_still_has_an_interval_below_one_hundred_per_cent():
    low, high = wilson_interval(250, 250)
    assert high == pytest.approx(1.0) and 0.98 < low < 1.0


def test_a_sample_is_labelled_as_a_sample_of_so_many():
    line = sample_line(240, 250, 1229)
    assert line.startswith("A sample of 250 out of 1229 mutants to test: 240 killed, 96.0%")
    assert "95% Wilson interval" in line
