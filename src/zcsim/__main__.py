"""``python -m zcsim`` runs the zcsim command."""

from zcsim.cli import main

main()
