"""`python -m cli`: the offline command line."""

import sys

from cli.main import main

sys.exit(main())
