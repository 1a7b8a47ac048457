"""Every command's options driven with generated values: no traceback, no internal error (exit 70).

Issue 11 ("no traceback, ever"): whatever a user types, a zcsim command ends with a result (exit
0 or 1), or one ``zcsim: error:`` line and exit 2. An exception that escapes a command is an
internal error (exit 70), a bug, and fails this test; so does a traceback anywhere in the output,
or a command that runs on (a hang guard stops it after :data:`HANG_SECONDS`).

The values mix the realistic (the bundled examples, a tiny results folder, built-in rule sets) with
the hostile (NaN, infinities, 10**30, exponents of 5,000 digits, empty strings, '²', NUL, a lone
surrogate, devices, FIFOs, directories, missing and unwritable paths, huge ranges). A command that
would start long work on valid values is kept small by :data:`FAST` (one replication).
The default profile is derandomized, so CI sees the same examples on every run; there is no
shrinking phase (a failure already names the whole command line, and a hang would be rerun for
each shrinking step). ``ZCSIM_CLI_FUZZ_EXAMPLES`` sets the examples per command (30 by default).
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from zcsim._cli_common import EXIT_INTERNAL
from zcsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
HANG_SECONDS = 45
"""Longest one generated invocation may run before it counts as a hang."""
EXAMPLES_PER_COMMAND = int(os.environ.get("ZCSIM_CLI_FUZZ_EXAMPLES", "30"))

COMMANDS = sorted(main.commands)

INTS = ["0", "1", "2", "3", "-1", "-5", "25", "1001", str(10**30), "1e3", "nan", "", " 3", "²", "0x10", "9" * 5000]
FLOATS = ["0", "0.5", "0.95", "1", "-1", "nan", "inf", "-inf", "1e-5000", "1e308", "", "1e999"]
DATES = ["2025-11-14", "0001-01-01", "9999-12-31", "2025-02-30", "", "tomorrow", "2025-11-14T00:00:00"]
TEXT = ["", " ", "nan", "inf", "x", "²", "\x00", "\ud800", "\udcff", "[/x]", "../../etc/passwd", "E01", "A01", "young", "中文",
        "beijing-2020", "national-2019", "2003-style", "a" * 300]
SETS = ["pass_ratio=1e-5000", "pass_ratio=3/5", "quorum_ratio=1/2", "chairs=" + str(10**30),
        "panel_min_size=999999999999", "filing_validity_years=10000", "threshold_basis=members", "x=²",
        "pass_ratio=nan", "pass_ratio=", "=", "committee_min_size=-1", "blacklist_years=100000"]
VARY = ["pool.size=150..300:30", "pool.size=1..1000000000:1", "committee.size=25,27", "panels=1..3",
        "pass_ratio=0.5..0.7:0.1", "experts.no_show=nan", "x=1..2", "pool.size=", "staff=0", "applicants=0..1"]
TARGETS = ["quorum_failure_rate<=0.01", "pass_rate>=nan", "nope<=1", "quorum_failure_rate<=", "<=0.5"]
SIZES = ["1..999999999", "1..51", "25", "0", "-1", "1..", "a..b", "51..1", "1,3,5", "²", ""]
SHARES = ["young=1/5", "young=1e-5000", "young=nan", "young=2", "nobody=1/5", "young=", "=1/5"]
ADDRESSES = ["garbage", ""]


def _paths(tmp: Path) -> list[str]:
    return [str(tmp / p) for p in (
        "quick.yaml", "compliant.json", "violations.json", "experts.csv", "applicants.csv", "relations.csv",
        "relations-gbk.csv", "calendar.csv", "results", "rules.yaml", "key.txt", "policy.yaml", "missing.json",
        "adir", "fifo", "empty.json")] + ["/dev/zero", "/dev/null", "-", "", "/proc/nonexistent/x"]


def _outputs(tmp: Path) -> list[str]:
    return [str(tmp / "out"), str(tmp / "out" / "r.html"), str(tmp / "adir"), "/proc/nonexistent/out", "",
            str(tmp / "compliant.json")]


POSITIONAL: dict[str, list[str]] = {
    "workdays": DATES,
    "schema": ["meeting", "scenario", "nope", ""],
}

FAST: dict[str, list[str]] = {
    "simulate": ["-n", "1", "--workers", "1"],
    "compare": ["-n", "1", "--workers", "1"],
    "sweep": ["-n", "1", "--workers", "1"],
    "size": ["--max-replications", "2", "--batch", "1", "--workers", "1"],
    "replay": ["--workers", "1"],
}
"""Options added unless the example chose that option itself, so valid runs stay small."""

NAMED: dict[str, list[str]] = {
    "--set": SETS, "--against-set": SETS, "--vary": VARY, "--target": TARGETS, "--sizes": SIZES,
    "--min-share": SHARES, "--address": ADDRESSES, "--date": DATES, "--metric": ["pass_rate", "nope", ""],
    "--only": ["threshold.integer_exact", "nope", ""], "--executor": ["local", "nope"],
    "--encoding": ["utf-8", "gbk", "gb18030", "latin-1", ""], "--title": TEXT,
    "--series": TEXT, "--specialty": TEXT, "--level": TEXT, "--applicant": TEXT,
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one of each input kind, and a tiny results folder."""
    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copy(ROOT / "scenarios" / "quick.yaml", tmp / "quick.yaml")
    for name in ("compliant.json", "violations.json"):
        shutil.copy(ROOT / "examples" / "records" / name, tmp / name)
    for name in ("experts.csv", "applicants.csv", "relations.csv"):
        shutil.copy(ROOT / "examples" / "pool" / name, tmp / name)
    (tmp / "relations-gbk.csv").write_bytes(
        (ROOT / "examples" / "pool" / "relations.csv").read_text(encoding="utf-8").encode("gb18030")
        + "A01,E02,spouse,,\n".encode("gb18030"))
    shutil.copy(ROOT / "examples" / "calendar-2027.csv", tmp / "calendar.csv")
    (tmp / "rules.yaml").write_text("format: zcsim.rules/1\nbase: beijing-2020\nset:\n  pass_ratio: 3/5\n", encoding="utf-8")
    (tmp / "key.txt").write_text("s3cret-key-for-tests\n", encoding="utf-8")
    (tmp / "policy.yaml").write_text("coauthor_window_years: 3\n", encoding="utf-8")
    (tmp / "empty.json").write_text("", encoding="utf-8")
    (tmp / "adir").mkdir()
    os.mkfifo(tmp / "fifo")
    r = CliRunner().invoke(main, ["simulate", str(tmp / "quick.yaml"), "-n", "1", "--workers", "1",
                                  "--out", str(tmp / "results")])
    assert r.exit_code == 0, r.output
    return tmp


class _Hang(BaseException):
    """Raised by the hang guard; a BaseException so no ``except Exception`` in zcsim swallows it."""


@pytest.fixture
def hang_guard() -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise _Hang()

    old = signal.signal(signal.SIGALRM, on_alarm)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _value(draw: st.DrawFn, param: click.Parameter, tmp: Path) -> str:
    name = param.opts[0]
    if name in NAMED:
        return draw(st.sampled_from(NAMED[name]))
    if name in ("--out", "--report", "--smt2", "--plot"):
        return draw(st.sampled_from(_outputs(tmp)))
    t = param.type
    if isinstance(t, click.Choice):
        return draw(st.sampled_from([*map(str, t.choices), "nope"]))
    if isinstance(t, (click.IntRange, click.types.IntParamType)):
        return draw(st.sampled_from(INTS))
    if isinstance(t, (click.FloatRange, click.types.FloatParamType)):
        return draw(st.sampled_from(FLOATS))
    if isinstance(t, click.DateTime):
        return draw(st.sampled_from(DATES))
    if name in ("--rules", "--against", "--diff"):
        return draw(st.sampled_from(["beijing-2020", "national-2019", "2003-style", "nope", str(tmp / "rules.yaml"),
                                     "/dev/zero", str(tmp / "fifo"), "beijing-2020+quorum_ratio=1/2", ""]))
    return draw(st.one_of(st.sampled_from(_paths(tmp)), st.sampled_from(TEXT)))


@st.composite
def _argv(draw: st.DrawFn, name: str, tmp: Path) -> list[str]:
    cmd = main.commands[name]
    argv = [name]
    options = [p for p in cmd.params if isinstance(p, click.Option) and p.name != "help"]
    for p in cmd.params:
        if isinstance(p, click.Argument):
            n = 1 if p.nargs == 1 else draw(st.integers(1, 3))
            pool = POSITIONAL.get(name) or _paths(tmp)
            if not p.required and draw(st.booleans()):
                continue
            argv += [draw(st.sampled_from(pool)) for _ in range(n)]
    chosen = draw(st.lists(st.sampled_from(options), max_size=4, unique_by=lambda p: p.name)) if options else []
    for p in chosen:
        if p.is_flag:
            argv.append(p.opts[0])
        else:
            argv += [p.opts[0], _value(draw, p, tmp)]
    names = {o for p in chosen for o in p.opts}
    fast = FAST.get(name, [])
    for flag, val in zip(fast[::2], fast[1::2], strict=True):
        if flag not in names and not ({"-n", "--replications"} & names and flag == "-n"):
            argv += [flag, val]
    return argv


@pytest.mark.parametrize("name", COMMANDS)
@settings(max_examples=EXAMPLES_PER_COMMAND, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_command_option_ends_in_a_traceback(name: str, data: st.DataObject, workdir: Path, hang_guard: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    argv = data.draw(_argv(name, workdir), label="argv")
    monkeypatch.chdir(workdir)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        result = CliRunner().invoke(main, argv, catch_exceptions=True)
    except _Hang:
        pytest.fail(f"zcsim {' '.join(map(repr, argv[0:]))} ran for more than {HANG_SECONDS} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    out = result.stdout + result.stderr
    assert result.exit_code != EXIT_INTERNAL, f"internal error on {argv!r}: {result.stderr}"
    assert "Traceback" not in out, f"traceback on {argv!r}: {out[-2000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{argv!r} raised {result.exception!r}")
    assert result.exit_code in (0, 1, 2), f"{argv!r} exited {result.exit_code}: {result.stderr[-500:]}"
    if result.exit_code == 2 and len(argv) == 1 and result.stderr.startswith("Usage:"):
        return  # a group called without its command (`zcsim pool`) shows its help, as `zcsim` does
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("zcsim: error:")]
        assert len(errors) == 1, f"{argv!r}: expected one 'zcsim: error:' line, got: {result.stderr[-1500:]}"
