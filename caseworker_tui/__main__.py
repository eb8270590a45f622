from caseworker_tui.cli import main

raise SystemExit(main())
