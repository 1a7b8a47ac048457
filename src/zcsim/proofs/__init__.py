"""The properties ``zcsim verify`` proves or refutes, one module per group.

Each module opens with the articles it covers and its properties in plain words, then states
each property as a Z3 formula over :class:`zcsim.verify.MeetingModel`. Run one group on its own
with ``python -m zcsim.proofs.passing`` (``--rules NAME``, ``--set KEY=VALUE``), or all of them with
``zcsim verify``. The repository's ``proofs/`` folder is this package.
"""

from zcsim.proofs._main import main

__all__ = ["main"]
