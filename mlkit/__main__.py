"""`python -m mlkit` runs the `mlkit` command (written by hand: nbdev does not export __main__)."""

import sys

from mlkit.cli import main

sys.exit(main())
