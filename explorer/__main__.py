"""`python -m explorer` behaves exactly like the `smtp-explorer` command."""

from explorer.commands import main

raise SystemExit(main())
