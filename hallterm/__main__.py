from hallterm.cli import main

raise SystemExit(main())
