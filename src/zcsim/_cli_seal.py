"""``zcsim seal``: add a hash chain to a meeting record so that any later change shows (Art. 27)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path

import click

from zcsim._cli_common import OneLineUsageCommand
from zcsim.errors import InputError, RecordError

_KEY_HELP = ("HMAC key file: the seal then also holds an HMAC only a holder of the key can make "
             "(default: the key in $ZCSIM_SEAL_KEY, if set). Keys are never written into records.")


def _read_json(path: str) -> dict[str, object]:
    from zcsim._files import read_user_text

    text = read_user_text(path, "record")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON: {exc.msg}", source=path, location=f"line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise RecordError(f"a meeting record is a JSON object; got {type(data).__name__}", source=path)
    return data


def _write_atomic(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("folder does not exist", source=str(folder))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # the mode of the file replaced, else the usual mode of a new file (mkstemp makes it 0600)
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


@click.command("seal", cls=OneLineUsageCommand)
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
    from zcsim.records._seal import key_from_env

    if out is not None and in_place:
        raise InputError("give --out FILE or --in-place, not both", source="zcsim seal")
    key = read_key(key_file) if key_file is not None else key_from_env()
    data = _read_json(record)
    if data.get("seal") is not None and not reseal:
        bad = [f for f in verify_seal(parse_record(data, source=record)) if not f.ok]
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
