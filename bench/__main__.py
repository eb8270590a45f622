from bench.measure import main

raise SystemExit(main())
