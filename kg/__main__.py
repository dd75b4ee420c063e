import sys

from kg.cli.app import main

sys.exit(main())
