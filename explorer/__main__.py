"""`python -m explorer` behaves exactly like the `smtp-explorer` command."""

from explorer.cli import main

raise SystemExit(main())
