"""``python -m zcsim`` runs the zcsim command."""

from zcsim._entry import run

run()
