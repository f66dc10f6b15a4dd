"""`python -m s2s ...`: the command line in `s2s.cli`."""
import sys

from s2s.cli import main

if __name__ == "__main__":
    sys.exit(main())
