"""Allow ``python -m regionet.interfaces.cli``."""

from regionet.interfaces.cli.app import main

main()
