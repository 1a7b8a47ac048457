"""The ``zcsim`` console script: Ctrl-C while the command is still loading is one line too.

The command's own handler (:class:`zcsim._cli_common.ZcsimGroup`) covers everything once the
command runs; this covers the second or so of imports before it.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Load and run the ``zcsim`` command; exit 130 with one line if interrupted while loading."""
    try:
        from zcsim.cli import main
    except KeyboardInterrupt:
        sys.unraisablehook = lambda unraisable: None
        sys.stderr.write("zcsim: interrupted\n")
        raise SystemExit(130) from None
    main()
