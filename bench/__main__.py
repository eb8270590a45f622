"""`python -m bench` measures in process and at start-up; `python -m bench felt` times keys through a terminal;
`python -m bench import-load` times a large import while other desks save."""

import sys

if sys.argv[1:2] == ["import-load"]:
    from bench.import_load import main

    raise SystemExit(main(sys.argv[2:]))

if sys.argv[1:2] == ["felt"]:
    from bench.felt import main

    raise SystemExit(main(sys.argv[2:]))

from bench.measure import main

raise SystemExit(main())
