#!/usr/bin/env python
import sys

from pishkhan.cli import main

if __name__ == "__main__":
    sys.exit(main(["help"] if len(sys.argv) < 2 else sys.argv[1:]))
