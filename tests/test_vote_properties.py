"""Properties of the tally and the quorum, against exact rational arithmetic (Art. 22, 23)."""

from __future__ import annotations

import inspect
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import zcsim.procedure.vote as vote_module
from zcsim import load_rules, min_yes_to_pass, passes, quorum_met, quorum_required
from zcsim.law import RuleSet, apply_overrides

SRC = Path(vote_module.__file__).resolve().parents[1]

ratios = st.builds(Fraction, st.integers(1, 20), st.integers(1, 20)).filter(lambda f: 0 < f <= 1)


@st.composite
def rule_sets(draw: st.DrawFn) -> RuleSet:
    ratio = draw(ratios)
    inclusive = draw(st.booleans())
    if ratio == 1 and not inclusive:
        inclusive = True
    return apply_overrides(RuleSet(), {
        "pass_ratio": str(ratio),
        "threshold_inclusive": inclusive,
        "threshold_basis": draw(st.sampled_from(["present", "members"])),
        "recusal_denominator": draw(st.sampled_from(["present", "eligible"])),
    })


@st.composite
def meetings(draw: st.DrawFn) -> tuple[int, int, int, int]:
    members = draw(st.integers(1, 201))
    present = draw(st.integers(1, members))
    recused = draw(st.integers(0, present - 1))
    yes = draw(st.integers(0, present - recused))
    return yes, present, recused, members


def exact_pass(yes: int, present: int, recused: int, members: int, rules: RuleSet) -> bool:
    """The definition, written independently with Fractions."""
    basis = members if rules.threshold_basis == "members" else present
    if rules.recusal_denominator == "eligible":
        basis -= recused
    if basis <= 0:
        return False
    share = Fraction(yes, basis)
    return share >= rules.pass_ratio if rules.threshold_inclusive else share > rules.pass_ratio


@given(rule_sets(), meetings())
def test_tally_equals_exact_rational_definition(rules: RuleSet, m: tuple[int, int, int, int]) -> None:
    yes, present, recused, members = m
    assert passes(yes, present, rules, recused=recused, members=members) == exact_pass(yes, present, recused, members, rules)


@given(rule_sets(), meetings())
def test_tally_is_monotone_in_yes_votes(rules: RuleSet, m: tuple[int, int, int, int]) -> None:
    yes, present, recused, members = m
    if passes(yes, present, rules, recused=recused, members=members) and yes < present - recused:
        assert passes(yes + 1, present, rules, recused=recused, members=members)


@given(rule_sets(), meetings())
def test_min_yes_to_pass_is_the_smallest_passing_count(rules: RuleSet, m: tuple[int, int, int, int]) -> None:
    _, present, recused, members = m
    basis = members if rules.threshold_basis == "members" else present
    if rules.recusal_denominator == "eligible":
        basis -= recused
    need = min_yes_to_pass(basis, rules)
    assert exact_pass(need, present, recused, members, rules) or need > present
    assert not exact_pass(need - 1, present, recused, members, rules)


@given(rule_sets(), st.lists(meetings(), min_size=1, max_size=50))
def test_array_tally_equals_scalar_tally(rules: RuleSet, ms: list[tuple[int, int, int, int]]) -> None:
    yes, present, recused, members = (np.array(col, dtype=np.int64) for col in zip(*ms))
    got = passes(yes, present, rules, recused=recused, members=members)
    want = [passes(int(y), int(p), rules, recused=int(r), members=int(n)) for y, p, r, n in ms]
    assert got.dtype == np.bool_
    assert got.tolist() == want


@given(st.integers(1, 500), st.integers(0, 500), ratios, st.booleans())
def test_quorum_equals_exact_definition(size: int, present: int, ratio: Fraction, inclusive: bool) -> None:
    if ratio == 1 and not inclusive:
        inclusive = True
    rules = apply_overrides(RuleSet(), {"quorum_ratio": str(ratio), "quorum_inclusive": inclusive})
    present = min(present, size)
    share = Fraction(present, size)
    assert quorum_met(present, size, rules) == (share >= ratio if inclusive else share > ratio)
    need = quorum_required(size, rules)
    assert quorum_met(need, size, rules) and not quorum_met(need - 1, size, rules)


def test_a_float_threshold_is_wrong_where_the_integer_one_is_right() -> None:
    # The smallest counterexample to `yes / present >= 0.667`: 2 of 3 is exactly 2/3 and passes.
    rules = load_rules()
    wrong = [p for p in range(1, 100) for y in range(p + 1) if (y / p >= 0.667) != passes(y, p, rules)]
    assert wrong and wrong[0] == 3
    assert passes(2, 3, rules)


def test_beijing_2020_is_three_yes_at_least_two_present_for_every_small_meeting() -> None:
    rules = load_rules()
    for present in range(1, 102):
        for yes in range(present + 1):
            assert passes(yes, present, rules) == (3 * yes >= 2 * present)


def test_no_float_ratio_in_procedure_or_law_code() -> None:
    float_ratio = re.compile(r"0\.66|0\.67|[A-Za-z_)\]]\s*/\s*3(\.0)?\b|\*\s*0\.\d")
    offenders = []
    for path in list((SRC / "procedure").rglob("*.py")) + list((SRC / "law").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if float_ratio.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_tally_reads_its_numbers_from_the_rule_set() -> None:
    source = inspect.getsource(vote_module)
    # the only integers in the tally code are 0 and 1 (and int64 dtypes); no 2, 3, 17, 25 …
    body = re.sub(r'""".*?"""', "", source, flags=re.S)
    body = "\n".join(line.split("#")[0] for line in body.splitlines() if "register(" not in line)
    literals = {int(x) for x in re.findall(r"(?<![\w.])(\d+)(?![\w.])", body)}
    assert literals <= {0, 1, 64}, literals
