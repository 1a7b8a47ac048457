"""``zcsim seal``: add a hash chain to a meeting record so that any later change shows (Art. 27)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path

import click

from zcsim._cli_common import ZcsimCommand
from zcsim.errors import InputError, RecordError

_KEY_HELP = ("HMAC key file: the seal then also holds an HMAC only a holder of the key can make "
             "(default: the key in $ZCSIM_SEAL_KEY, if set). Keys are never written into records.")


TMP_MARK = ".zcsim-tmp-"
"""What the name of seal's temporary file holds: ``.<name>.zcsim-tmp-<pid>``, so that one left by
a killed ``seal --in-place`` is recognised as ours and removed by the next one."""


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (a temporary of a live seal is left alone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OSError:
        return False
    return True


def _remove_stale_temporaries(path: Path) -> None:
    """Remove ``.<name>.zcsim-tmp-<pid>`` files next to ``path`` whose process is gone (a seal that
    was killed before it could clean up after itself); anything else is left alone."""
    folder = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}{TMP_MARK}"
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            pid = entry.name[len(prefix):]
            if entry.name.startswith(prefix) and pid.isdigit() and len(pid) < 10 and not _pid_alive(int(pid)):
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)


def _write_atomic(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("folder does not exist", source=str(folder))
    if replace:
        _remove_stale_temporaries(path)
    tmp = str(folder / f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # a leftover of an earlier process of the same pid
        os.unlink(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        # the mode of the file replaced, else the usual mode of a new file (it is made 0600)
        if replace and path.exists():
            mode = stat.S_IMODE(path.stat().st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path exists: never overwrite by accident
            except FileExistsError:
                raise InputError("file exists; choose another --out, or use --in-place to seal RECORD itself",
                                 source=str(path)) from None
            except OSError:  # no hard links on this file system
                if path.exists():
                    raise InputError("file exists; choose another --out, or use --in-place", source=str(path)) from None
                os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)



@click.command("seal", cls=ZcsimCommand)
@click.argument("record", metavar="RECORD.json")
@click.option("--out", "out", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the sealed record here (refuses to overwrite an existing file).")
@click.option("--in-place", is_flag=True, help="Replace RECORD.json by the sealed record (atomic).")
@click.option("--key-file", metavar="FILE", type=click.Path(dir_okay=False), help=_KEY_HELP)
@click.option("--reseal", is_flag=True, help="Replace an existing seal even if the record no longer matches it.")
def seal(record: str, out: str | None, in_place: bool, key_file: str | None, reseal: bool) -> None:
    """Seal a zcsim.meeting/1 record with a hash chain over its entries (Art. 27: traceable).

    Prints the sealed record, or writes it with --out FILE or --in-place. `zcsim audit` then
    reports any entry changed, removed, inserted or reordered as a violation of Art. 27.
    A record whose existing seal does not verify is refused unless --reseal is given, so a
    tampered record is not sealed again by accident. Exit status: 0 sealed, 2 bad input.
    """
    from zcsim.records import parse_record, read_key, seal_record, verify_seal
    from zcsim.records._io import read_record_json
    from zcsim.records._seal import key_from_env

    if out is not None and in_place:
        raise InputError("give --out FILE or --in-place, not both", source="zcsim seal")
    key = read_key(key_file) if key_file is not None else key_from_env()
    data = read_record_json(record)  # strict JSON: a duplicate key is refused, not collapsed to its last copy
    parsed = parse_record(data, source=record)  # the whole record, its seal too: "seal": null is malformed
    if parsed.seal is not None and not reseal:
        bad = [f for f in verify_seal(parsed) if not f.ok]
        if bad:
            raise RecordError(f"the existing seal does not verify ({bad[0].detail}"
                              + (f"; {len(bad) - 1} more" if len(bad) > 1 else "")
                              + "); pass --reseal to replace it", source=record, location="seal")
    sealed = seal_record(data, key=key, source=record)
    text = json.dumps(sealed, ensure_ascii=False, indent=2) + "\n"
    if out is None and not in_place:
        click.echo(text, nl=False)
        return
    target = Path(record if in_place else out)  # type: ignore[arg-type]
    _write_atomic(target, text, replace=in_place)
    n = len(sealed["seal"]["entries"])
    click.echo(f"Sealed {n} entries of {record} → {target} (head {sealed['seal']['head']})"
               + (" with an HMAC" if key is not None else ""), err=True)
