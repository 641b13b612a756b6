"""`python -m o11y`: the offline command line."""

import sys

from o11y.cli import main

sys.exit(main())
