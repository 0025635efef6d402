import sys

from chiso766.cli import main

sys.exit(main())
