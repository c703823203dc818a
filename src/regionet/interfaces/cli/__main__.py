"""Allow ``python -m regionet.interfaces.cli``."""

from regionet.interfaces.cli.entry import main

main()
