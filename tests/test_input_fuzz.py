"""Fuzzing every input boundary (issue 7): scenario files, ``--set`` values, rule files, conflict
policies, meeting records, the pool CSV files and calendar files.

The shipped examples are mutated (byte flips, truncation, deleted / duplicated lines, YAML
scalars replaced by values of the wrong type, huge numbers, NaN/inf, negative counts, unicode,
byte-order marks, alias bombs, deep nesting) and fed to the library loaders, which must either
return a result or raise a :class:`~zcsim.errors.ZcsimError` — never another exception, never a
hang (every example runs under an alarm). A sample goes through the CLI (in process), which must
exit 0/1 or exit 2 with exactly one line ``zcsim: error: …`` naming the file.

Failures Hypothesis found are kept in ``tests/regressions/inputs/<kind>/`` and replayed by
:func:`test_kept_regression_inputs` (and the ``--set`` ones as ``@example``\\ s).
Examples per test: the profile's ``max_examples`` scaled down (``default``: 200, so ~30–100;
``ZCSIM_HYPOTHESIS_PROFILE=long``: 5000, so ~750–2500).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zcsim.calendar import WorkingCalendar
from zcsim.cli import main
from zcsim.conflicts import load_graph, load_policy
from zcsim.draw import load_applicants, load_experts
from zcsim.errors import ZcsimError
from zcsim.law import RuleSet, load_rules
from zcsim.records import load_record
from zcsim.sim import load_scenario

REGRESSIONS = Path(__file__).resolve().parent / "regressions" / "inputs"
POOL = ROOT / "examples" / "pool"
SCENARIOS = [ROOT / "scenarios" / "quick.yaml", ROOT / "scenarios" / "quick-graph-recusal.yaml",
             *sorted((ROOT / "scenarios" / "library").glob("*.yaml"))]
RULE_FILES = sorted((ROOT / "src" / "zcsim" / "law" / "rulesets").glob("*.yaml"))
RECORDS = sorted((ROOT / "examples" / "records").glob("*.json"))
POLICY = (b"# a strict conflict policy\nemployment: ever\nformer_spouses: true\nlineal_generations: 2\n"
          b"collateral_generations: 3\nsupervisor_window_years: null\ncoauthor_window_years: 3\n"
          b"project_partner_window_years: 5\nundated_counts: false\n")
TIMEOUT = 20  # seconds an example may take before it counts as a hang

_N = settings().max_examples  # 200 by default, 5000 with the long profile


def n(share: float) -> int:
    return max(10, int(_N * share))


FUZZ: dict[str, Any] = {"deadline": None, "suppress_health_check": [
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large, HealthCheck.filter_too_much]}


@contextlib.contextmanager
def no_hang(seconds: int = TIMEOUT) -> Iterator[None]:
    """Fail (rather than hang) when the block runs longer than ``seconds``."""
    def _alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"input took more than {seconds} s: a hang")
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def result_or_zcsim_error(fn: Callable[[], Any]) -> Any:
    """``fn()``'s result, or ``None`` when it raised a ZcsimError; any other exception fails."""
    with no_hang():
        try:
            return fn()
        except ZcsimError as exc:
            assert str(exc).strip() and "\n" not in str(exc), repr(str(exc))
            return None


# ----------------------------------------------------------------------------------------------
# mutations
# ----------------------------------------------------------------------------------------------
NASTY_SCALARS = [
    "", "~", "null", "true", "no", "0", "-1", "-999999999", "1e308", "1e-308", "-1e400", ".nan", ".inf", "-.inf",
    "nan", "inf", "9" * 400, "9" * 5000, "1/0", "0/0", "3/5", "-2/3", "1e-99999999999", "0x1F", "0o17", "1_000",
    "2025-02-30", "2025-13-01", "0000-01-01", "9999-12-31", "[]", "{}", "[1, [2, [3]]]", "{a: 1}", "'\\u0000'",
    "\"\\0\"", "\"a\\nb\"", "工程", "ｓｅｎｉｏｒ", "senior\u200b", "\u202e", "²", "٣", "+-5", "!!binary aGk=",
    "!!python/object:os.system ls", "&x 1", "*undefined", "'../../../etc/passwd'", "/etc/passwd",
    "[*a, *a]", "!!set {a, b}", "!!omap [a: 1]", "? complex\n: key",
]


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@st.composite
def mutated(draw: st.DrawFn, data: bytes, yaml_like: bool = False) -> bytes:
    """``data`` after one to four random edits."""
    for _ in range(draw(st.integers(1, 4))):
        ops = ["flip", "truncate", "delete_line", "duplicate_line", "insert", "bom", "swap_lines"]
        if yaml_like:
            ops += ["scalar", "scalar", "scalar", "bomb", "deep"]
        else:
            ops += ["cell", "cell", "cell"]
        op = draw(st.sampled_from(ops))
        lines = lines_of(data) or [b""]
        if op == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1:]
        elif op == "truncate" and data:
            data = data[:draw(st.integers(0, len(data) - 1))]
        elif op == "delete_line":
            i = draw(st.integers(0, len(lines) - 1))
            data = b"".join(lines[:i] + lines[i + 1:])
        elif op == "duplicate_line":
            i = draw(st.integers(0, len(lines) - 1))
            data = b"".join(lines[:i + 1] + lines[i:])
        elif op == "swap_lines" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"".join(lines)
        elif op == "insert":
            i = draw(st.integers(0, len(lines)))
            text = draw(st.text(max_size=30) | st.sampled_from(NASTY_SCALARS)).encode("utf-8", "surrogatepass")
            data = b"".join(lines[:i] + [text + b"\n"] + lines[i:])
        elif op == "bom":
            data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xef\xbb\xbf\xef\xbb\xbf"])) + data
        elif op == "scalar":
            # replace the value after a ':' (YAML) with a nasty scalar
            cands = [i for i, ln in enumerate(lines) if re.search(rb":\s*\S", ln) and not ln.lstrip().startswith(b"#")]
            if cands:
                i = draw(st.sampled_from(cands))
                value = draw(st.sampled_from(NASTY_SCALARS) | st.text(max_size=12)
                             | st.integers(-10**30, 10**30).map(str) | st.floats().map(repr))
                m = re.search(rb"(:\s*)([^,}\]\n#]*)", lines[i])
                assert m is not None
                lines[i] = lines[i][:m.start(2)] + value.replace("\n", " ").encode("utf-8", "surrogatepass") \
                    + lines[i][m.end(2):]
                data = b"".join(lines)
        elif op == "cell":
            # replace one comma-separated cell (CSV) with a nasty value
            i = draw(st.integers(0, len(lines) - 1))
            cells = lines[i].rstrip(b"\r\n").split(b",")
            j = draw(st.integers(0, len(cells) - 1))
            cells[j] = draw(st.sampled_from(NASTY_SCALARS + ['"unterminated', '"a""b"', "\x00", "#", "a\rb"])
                            | st.text(max_size=12)).encode("utf-8", "surrogatepass")
            lines[i] = b",".join(cells) + b"\n"
            data = b"".join(lines)
        elif op == "bomb":
            bomb = b"lol: &a0 [x, x, x, x, x, x, x, x, x]\n" + b"".join(
                b"lol%d: &a%d [" % (k, k) + b", ".join([b"*a%d" % (k - 1)] * 9) + b"]\n" for k in range(1, 9))
            i = draw(st.integers(0, len(lines)))
            data = b"".join(lines[:i] + [bomb] + lines[i:])
        elif op == "deep":
            depth = draw(st.sampled_from([50, 200, 1200, 5000]))
            data = data + b"\ndeep: " + b"[" * depth + b"]" * depth + b"\n"
    return data


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="zcsim-fuzz-") as d:
        yield Path(d)


# ----------------------------------------------------------------------------------------------
# library loaders
# ----------------------------------------------------------------------------------------------
def _use_scenario(path: Path) -> None:
    sc = load_scenario(path)
    sc.ruleset()
    sc.working_calendar()
    sc.conflicts()
    sc.committee_plans()
    if sc.recusal.graph is not None:
        from zcsim.recusal import recusal_source
        recusal_source(sc)


@settings(max_examples=n(0.5), **FUZZ)
@given(data=st.data(), which=st.sampled_from(SCENARIOS))
def test_mutated_scenarios_load_or_raise_an_input_error(folder: Path, data: st.DataObject, which: Path) -> None:
    text = data.draw(mutated(which.read_bytes(), yaml_like=True))
    path = write(folder, "scenario.yaml", text)
    result_or_zcsim_error(lambda: _use_scenario(path))


@settings(max_examples=n(0.25), **FUZZ)
@given(data=st.data())
def test_mutated_conflicts_files_of_a_scenario(folder: Path, data: st.DataObject) -> None:
    base = json.dumps([{"applicant": "A0000001", "expert": "E000001"},
                       {"applicant": "A0000002", "expert": "E000003", "type": "coauthor"}], indent=1).encode()
    write(folder, "c.json", data.draw(mutated(base)))
    sc_text = (ROOT / "scenarios" / "quick.yaml").read_text(encoding="utf-8").replace(
        "recusal:\n  rate: 0.003", "recusal:\n  conflicts: c.json")
    path = write(folder, "with-conflicts.yaml", sc_text.encode())
    got = result_or_zcsim_error(lambda: load_scenario(path).conflicts())
    if got is not None:
        assert all(isinstance(a, str) and a and all(isinstance(e, str) and e for e in es) for a, es in got.items())


@settings(max_examples=n(0.5), **FUZZ)
@given(data=st.data(), which=st.sampled_from(RULE_FILES))
def test_mutated_rule_files_load_or_raise_a_rule_set_error(folder: Path, data: st.DataObject, which: Path) -> None:
    path = write(folder, "rules.yaml", data.draw(mutated(which.read_bytes(), yaml_like=True)))
    rules = result_or_zcsim_error(lambda: load_rules(str(path)))
    if rules is not None:
        assert isinstance(rules, RuleSet)
        rules.validate()


SET_KEYS = sorted(RuleSet.specs())
set_values = st.sampled_from(NASTY_SCALARS) | st.text(max_size=20) | st.integers(-10**40, 10**40).map(str) \
    | st.floats().map(repr) | st.fractions().map(str) | st.from_regex(r"[+-]?[0-9]{0,3}(\.[0-9]{0,3})?(e[+-]?[0-9]{1,12})?(/[0-9]{1,3})?", fullmatch=True)


@settings(max_examples=n(1.0), **FUZZ)
@given(key=st.sampled_from(SET_KEYS) | st.text(max_size=20), value=set_values, eq=st.sampled_from(["=", " = ", ":", "=="]))
@example(key="vice_chairs_min", value="²", eq="=")               # int("²") raised ValueError
@example(key="vice_chairs_min", value="+-5", eq="=")             # int("+-5") raised ValueError
@example(key="vice_chairs_min", value="9" * 5000, eq="=")        # int() of > 4300 digits raised ValueError
@example(key="pass_ratio", value="1e-99999999999", eq="=")       # Fraction(10 ** 99999999999): a hang
@example(key="pass_ratio", value="٢/٣", eq="=")                  # unicode digits: accepted as 2/3, fine
def test_set_values_give_a_rule_set_or_a_rule_set_error(key: str, value: str, eq: str) -> None:
    text = f"{key}{eq}{value}"
    rules = result_or_zcsim_error(lambda: load_rules(overrides=[text]))
    if rules is not None:
        rules.validate()
        spec = RuleSet.specs().get(key.strip().replace(".", "_").replace("-", "_"))
        if spec is not None and spec.kind in ("int", "optional_int") and getattr(rules, spec.key) is not None:
            assert getattr(rules, spec.key) == int(value.strip())  # no silent reinterpretation


@settings(max_examples=n(0.5), **FUZZ)
@given(data=st.data())
def test_mutated_conflict_policies(folder: Path, data: st.DataObject) -> None:
    path = write(folder, "policy.yaml", data.draw(mutated(POLICY, yaml_like=True)))
    result_or_zcsim_error(lambda: load_policy(path))


@settings(max_examples=n(0.5), **FUZZ)
@given(data=st.data(), which=st.sampled_from(RECORDS))
def test_mutated_records_load_or_raise_a_record_error(folder: Path, data: st.DataObject, which: Path) -> None:
    raw = which.read_bytes()
    text = data.draw(mutated(raw) | st.sampled_from([b'{"format": ' * 5000 + b"1" + b"}" * 5000,
                                                      b"[" * 100_000 + b"]" * 100_000, b"1e999999999", b"NaN",
                                                      raw.replace(b'"2025-11-14"', b"NaN")]))
    path = write(folder, "record.json", text)
    result_or_zcsim_error(lambda: load_record(path))


@settings(max_examples=n(0.5), **FUZZ)
@given(data=st.data(), which=st.sampled_from(["experts.csv", "applicants.csv", "relations.csv"]))
def test_mutated_pool_csv_files(folder: Path, data: st.DataObject, which: str) -> None:
    sub = folder / "pool"
    sub.mkdir(exist_ok=True)
    for name in ("experts.csv", "applicants.csv", "relations.csv"):
        (sub / name).write_bytes((POOL / name).read_bytes())
    write(sub, which, data.draw(mutated((POOL / which).read_bytes())))
    loader = {"experts.csv": load_experts, "applicants.csv": load_applicants}.get(which)
    if loader is not None:
        result_or_zcsim_error(lambda: loader(sub / which))
    result_or_zcsim_error(lambda: load_graph(sub / "experts.csv", sub / "applicants.csv", sub / "relations.csv"))


@settings(max_examples=n(0.5), **FUZZ)
@given(data=st.data())
def test_mutated_calendar_files(folder: Path, data: st.DataObject) -> None:
    import datetime as dt
    path = write(folder, "calendar.csv", data.draw(mutated((ROOT / "examples" / "calendar-2027.csv").read_bytes())))
    cal = result_or_zcsim_error(lambda: WorkingCalendar.from_file(path))
    if cal is not None:
        result_or_zcsim_error(lambda: cal.working_days_between(dt.date(2027, 1, 1), dt.date(2027, 12, 31)))


# ----------------------------------------------------------------------------------------------
# the CLI: exit 0/1, or exit 2 with one line naming the file
# ----------------------------------------------------------------------------------------------
def cli(*args: str) -> tuple[int, str, str]:
    with no_hang(60):
        result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"zcsim {' '.join(args)} raised {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_clean(code: int, err: str, names: str | tuple[str, ...], ok: tuple[int, ...] = (0, 1)) -> None:
    assert "Traceback" not in err
    if code in ok:
        return
    assert code == 2, (code, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("zcsim: error: "), err
    assert any(name in lines[0] for name in ((names,) if isinstance(names, str) else names)), (names, err)


@settings(max_examples=n(0.15), **FUZZ)
@given(data=st.data(), which=st.sampled_from(RECORDS))
def test_cli_audit_of_mutated_records(folder: Path, data: st.DataObject, which: Path) -> None:
    path = write(folder, "cli-record.json", data.draw(mutated(which.read_bytes())))
    code, _, err = cli("audit", str(path), "--json")
    assert_clean(code, err, str(path))


def test_audit_names_the_record_whose_rules_field_is_unknown(tmp_path: Path) -> None:
    doc = json.loads(RECORDS[0].read_text(encoding="utf-8"))
    doc["rules"] = "ceijing-2020"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = cli("audit", "--rules-from-record", str(path))
    assert_clean(code, err, str(path), ok=())


@settings(max_examples=n(0.15), **FUZZ)
@given(data=st.data(), which=st.sampled_from(RULE_FILES))
def test_cli_rules_of_mutated_rule_files(folder: Path, data: st.DataObject, which: Path) -> None:
    path = write(folder, "cli-rules.yaml", data.draw(mutated(which.read_bytes(), yaml_like=True)))
    code, _, err = cli("rules", "--rules", str(path), "--json")
    assert_clean(code, err, str(path), ok=(0,))


@settings(max_examples=n(0.15), **FUZZ)
@given(key=st.sampled_from(SET_KEYS) | st.text(max_size=10), value=set_values)
@example(key="vice_chairs_max", value="0")  # the error named "rule set beijing-2020+vice_chairs_max=0", not --set
def test_cli_set_values(key: str, value: str) -> None:
    code, _, err = cli("rules", "--set", f"{key}={value}", "--json")
    assert_clean(code, err, "--set", ok=(0,))


@settings(max_examples=n(0.15), **FUZZ)
@given(data=st.data(), which=st.sampled_from(["experts.csv", "applicants.csv", "relations.csv"]))
def test_cli_conflicts_of_mutated_csv(folder: Path, data: st.DataObject, which: str) -> None:
    sub = folder / "cli-pool"
    sub.mkdir(exist_ok=True)
    for name in ("experts.csv", "applicants.csv", "relations.csv"):
        (sub / name).write_bytes((POOL / name).read_bytes())
    path = write(sub, which, data.draw(mutated((POOL / which).read_bytes())))
    code, _, err = cli("conflicts", "--experts", str(sub / "experts.csv"), "--applicants", str(sub / "applicants.csv"),
                       "--relations", str(sub / "relations.csv"), "--date", "2025-11-14", "--json")
    # data warnings may precede an error on stderr: check the error line only; a change to one file
    # may be reported in another (an expert deleted from experts.csv: a dangling id in relations.csv)
    err = "\n".join(ln for ln in err.splitlines() if not ln.startswith(("warning", "zcsim: warning")))
    assert_clean(code, err, tuple(str(sub / f) for f in ("experts.csv", "applicants.csv", "relations.csv")), ok=(0,))
    assert path.parent == sub


@settings(max_examples=n(0.05), **FUZZ)
@given(data=st.data())
def test_cli_simulate_of_mutated_scenarios(folder: Path, data: st.DataObject) -> None:
    # a tiny scenario, so a mutation that still loads simulates in well under a second
    base = (b"format: zcsim.scenario/1\nrules: beijing-2020\ncalendar: {year: 2025}\npopulation:\n"
            b"  groups:\n    - {series: eng, specialty: el, level: senior, count: 20}\nexperts:\n"
            b"  pools:\n    - {series: eng, specialty: el, size: 30}\n  no_show: 0.1\ncommittees:\n"
            b"  - {series: eng, specialty: el, level: senior, size: 11, panels: 1}\nrecusal:\n  rate: 0.01\n"
            b"simulation: {replications: 1, seed: 3, years: 1}\n")
    path = write(folder, "cli-scenario.yaml", data.draw(mutated(base, yaml_like=True)))
    code, _, err = cli("simulate", str(path), "-n", "1", "--workers", "1", "--json")
    assert_clean(code, err, str(path), ok=(0,))


def test_a_rule_file_whose_numbers_contradict_names_the_file(tmp_path: Path) -> None:
    # found by test_cli_rules_of_mutated_rule_files: RuleSet.validate() named only "rule set NAME"
    path = tmp_path / "r.yaml"
    path.write_text("format: zcsim.rules/1\nbase: beijing-2003-style\nset: {committee_max_size: 0}\n", encoding="utf-8")
    with pytest.raises(ZcsimError, match=re.escape(str(path)) + ".*committee_max_size = 0"):
        load_rules(str(path))
    code, _, err = cli("rules", "--rules", str(path))
    assert_clean(code, err, str(path), ok=())


# ----------------------------------------------------------------------------------------------
# failures Hypothesis found, kept
# ----------------------------------------------------------------------------------------------
LOADERS: dict[str, Callable[[Path], Any]] = {
    "scenario": _use_scenario,
    "rules": lambda p: load_rules(str(p)),
    "policy": load_policy,
    "record": load_record,
    "experts": load_experts,
    "applicants": load_applicants,
    "relations": lambda p: load_graph(POOL / "experts.csv", POOL / "applicants.csv", p),
    "calendar": WorkingCalendar.from_file,
    "set": lambda p: [result_or_zcsim_error(lambda ln=ln: load_rules(overrides=[ln]))
                      for ln in p.read_text(encoding="utf-8").splitlines() if ln],
}
KEPT = sorted(p for p in REGRESSIONS.glob("*/*") if p.is_file() and p.parent.name in LOADERS) if REGRESSIONS.is_dir() else []


@pytest.mark.parametrize("path", KEPT, ids=[f"{p.parent.name}/{p.name}" for p in KEPT])
def test_kept_regression_inputs(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name  # a scenario's relative paths resolve next to the copy
    copy.write_bytes(path.read_bytes())
    if (path.parent / "files").is_dir():  # files the kept inputs name
        shutil.copytree(path.parent / "files", tmp_path / "files")
    result_or_zcsim_error(lambda: LOADERS[path.parent.name](copy))


def test_there_are_kept_regression_inputs() -> None:
    assert {p.parent.name for p in KEPT} >= {"scenario", "rules", "policy", "set"}


@pytest.mark.parametrize("base", ["true", "1.5", "ceijing-2020"])
def test_a_rule_files_bad_base_is_named_with_the_file(tmp_path: Path, base: str) -> None:
    # found by the fuzzer in CI: `base: true` was reported as "--rules: unknown rule set 'True'"
    path = tmp_path / "r.yaml"
    path.write_text(f"format: zcsim.rules/1\nbase: {base}\nset: {{pass_ratio: 3/5}}\n", encoding="utf-8")
    code, _, err = cli("rules", "--rules", str(path), "--json")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"zcsim: error: {path}: base: "), err
