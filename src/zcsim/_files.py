"""Reading a user's text file with errors that name it (shared by every loader)."""

from __future__ import annotations

from pathlib import Path

from zcsim.errors import InputError

__all__ = ["read_user_text"]


def read_user_text(path: str | Path, what: str) -> str:
    """The UTF-8 text of ``path``, or an :class:`InputError` naming the file and what went wrong.

    ``what`` names the kind of file in messages: ``"policy"`` gives "policy file not found".

    Examples
    --------
    >>> read_user_text("no/such/file.yaml", "scenario")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: no/such/file.yaml: scenario file not found
    """
    src = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} file not found", source=src) from None
    except IsADirectoryError:
        raise InputError(f"{what} file expected, got a directory", source=src) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=src) from None
    except OSError as exc:
        raise InputError(f"cannot read {what} file: {exc.strerror}", source=src) from None
