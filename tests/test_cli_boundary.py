"""The command's outer boundary (issue 11, "no traceback, ever"): usage errors, internal errors,
Ctrl-C and unusable output locations each end in one line and their own exit status."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import zcsim.cli
from zcsim._cli_common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED
from zcsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "examples" / "records" / "compliant.json"


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("zcsim: error: "), stderr
    return lines[0]


@pytest.mark.parametrize("name", sorted(main.commands))
def test_an_unknown_option_is_one_line_naming_the_command(name: str) -> None:
    r = CliRunner().invoke(main, [name, "--no-such-option"])
    assert r.exit_code == EXIT_BAD_INPUT
    line = _one_error_line(r.stderr)
    assert f"zcsim {name}" in line and "--no-such-option" in line and f"zcsim {name} --help" in line


def test_a_bad_option_value_is_one_line() -> None:
    r = CliRunner().invoke(main, ["simulate", str(ROOT / "scenarios" / "quick.yaml"), "-n", "many"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "'many' is not a valid integer" in _one_error_line(r.stderr)


def test_an_unknown_command_is_one_line() -> None:
    r = CliRunner().invoke(main, ["simulat"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "No such command 'simulat'" in _one_error_line(r.stderr)


def test_an_unexpected_exception_is_an_internal_error_with_its_own_status(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(zcsim.cli, "load_rules", broken)
    monkeypatch.delenv("ZCSIM_DEBUG", raising=False)
    r = CliRunner().invoke(main, ["rules"])
    assert r.exit_code == EXIT_INTERNAL == 70
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output + r.stderr
    assert lines[0].startswith("zcsim: internal error: RuntimeError: boom second line")
    assert "bug" in lines[0] and "ZCSIM_DEBUG=1" in lines[0]


def test_zcsim_debug_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(zcsim.cli, "load_rules", broken)
    monkeypatch.setenv("ZCSIM_DEBUG", "1")
    r = CliRunner().invoke(main, ["rules"])
    assert isinstance(r.exception, RuntimeError)


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(zcsim.cli, "load_rules", interrupted)
    r = CliRunner().invoke(main, ["rules"])
    assert r.exit_code == EXIT_INTERRUPTED == 130
    assert r.stderr.strip() == "zcsim: interrupted"


def test_an_audit_interrupted_is_not_violations_found(monkeypatch: pytest.MonkeyPatch) -> None:
    import zcsim.records

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(zcsim.records, "audit_file", interrupted)
    r = CliRunner().invoke(main, ["audit", str(RECORD)])
    assert r.exit_code == 130


def test_an_output_location_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["seal", str(RECORD), "--out", "/proc/nonexistent/sealed.json"])
    assert r.exit_code == EXIT_BAD_INPUT, r.output + r.stderr
    line = _one_error_line(r.stderr)
    assert "/proc/nonexistent" in line


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.6, 1.2])
def test_ctrl_c_at_any_moment_of_a_real_run_prints_no_traceback(delay: float) -> None:
    """SIGINT while the command loads, or while it works: one line, exit 130 (or done, exit 0).

    (A SIGINT in the interpreter's own first few milliseconds, before any code of zcsim runs, is
    Python's to handle: it ends the process with the signal.)
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ZCSIM_DEBUG", None)
    script = Path(sys.executable).parent / "zcsim"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "zcsim"]
    proc = subprocess.Popen([*argv, "verify"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in out + err and "Exception ignored" not in err, err
    if proc.returncode == -signal.SIGINT:  # on a loaded machine the interpreter may not have started yet
        assert out + err == ""
        return
    assert proc.returncode in (0, 130), (proc.returncode, err)
    if proc.returncode == 130:
        assert err == "zcsim: interrupted\n"  # exactly one line: no blank line before it


@pytest.mark.parametrize("arg", ["a\x00b", "\ud800"])
def test_an_argument_no_shell_could_pass_is_one_line(arg: str) -> None:
    """Found by the option fuzzer: click's path type raised on a NUL byte or a lone surrogate."""
    r = CliRunner().invoke(main, ["seal", str(RECORD), "--key-file", arg])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "not a valid command-line string" in _one_error_line(r.stderr)


def test_a_title_in_another_encoding_is_one_line(tmp_path: Path) -> None:
    """Found by the option fuzzer (long profile): bytes a UTF-8 terminal cannot decode reach argv as
    surrogate escapes, and writing them into the HTML raised UnicodeEncodeError (exit 70)."""
    out = tmp_path / "res"
    assert CliRunner().invoke(main, ["simulate", str(ROOT / "scenarios" / "quick.yaml"), "-n", "1", "--workers", "1",
                                     "--out", str(out)]).exit_code == 0
    r = CliRunner().invoke(main, ["report", str(out), "--title", "\udcff\udcfe"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "--title" in _one_error_line(r.stderr)


def test_ctrl_c_during_a_finalizer_still_ends_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen under load: SIGINT landed in a Z3 object's __del__, which cannot raise; Python printed
    "Exception ignored … KeyboardInterrupt" with a traceback and the command went on to exit 0."""
    import gc

    class Finalised:
        def __del__(self) -> None:
            raise KeyboardInterrupt  # as if Ctrl-C came while this ran

    def work(*args: object, **kwargs: object) -> None:
        Finalised()  # collected at once: its __del__ "raises" the interrupt
        gc.collect()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the work goes on unless the interrupt is delivered again
            time.sleep(0.01)

    monkeypatch.setattr(zcsim.cli, "load_rules", work)
    r = CliRunner().invoke(main, ["rules"])
    assert r.exit_code == EXIT_INTERRUPTED
    assert r.stderr == "zcsim: interrupted\n"
    assert sys.unraisablehook is not None


def test_ctrl_c_inside_a_foreign_call_is_an_interrupt_not_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen under load (exit 70): Ctrl-C while ctypes converted a Z3 call's arguments came out as
    ctypes.ArgumentError('argument 1: KeyboardInterrupt: '), with nothing chained."""
    import ctypes

    class Interrupted:
        @classmethod
        def from_param(cls, value: object) -> object:
            raise KeyboardInterrupt

    def work(*args: object, **kwargs: object) -> None:
        call = ctypes.CDLL(None).abs
        call.argtypes = [Interrupted]
        call(1)

    monkeypatch.setattr(zcsim.cli, "load_rules", work)
    r = CliRunner().invoke(main, ["rules"])
    assert r.exit_code == EXIT_INTERRUPTED
    assert r.stderr == "zcsim: interrupted\n"


def test_ctrl_c_during_a_z3_query_is_not_taken_for_an_unknown(tmp_path: Path) -> None:
    """Seen under load: Z3 caught SIGINT while it solved and answered unknown, so an interrupted
    `zcsim verify` printed its tables and exited 0 as if complete. Through checked(), the query
    returns (here at its 3 s timeout) and Ctrl-C is raised."""
    script = tmp_path / "query.py"
    script.write_text(
        "import z3\n"
        "from zcsim.verify._core import checked\n"
        "x = [z3.Int(f'x{i}') for i in range(30)]\n"
        "s = z3.Optimize()\n"
        "s.set('timeout', 3000)\n"
        "s.add(z3.Sum([v * v * v for v in x]) == 1234567891, *[v > 0 for v in x], z3.Distinct(*x))\n"
        "s.minimize(x[0])\n"
        "print('ready', flush=True)\n"
        "try:\n"
        "    print('answered', checked(s), s.reason_unknown(), flush=True)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert out.strip() == "interrupted", (out, err)
