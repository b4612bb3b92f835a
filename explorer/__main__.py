"""`python -m explorer` behaves exactly like the `smtp-explorer` command."""

try:
    from explorer import stopping

    stopping.catch_early()  # before the imports that take time: a Ctrl-C meanwhile is not lost
except KeyboardInterrupt:  # in the instant before: Ctrl-C's default, without a traceback
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    raise SystemExit(130)  # where a signal does not end a process (Windows)

from explorer.commands import main  # noqa: E402

raise SystemExit(main())
