"""`python -m explorer` and the installed `smtp-explorer` script: both start in :func:`run`.

The script's entry point is this module rather than ``explorer.commands``, whose imports
(argparse and the shared options) take long enough for a Ctrl-C to land in them, or, in a
background job started with SIGINT ignored, to be lost.
"""

from __future__ import annotations


def run() -> int:
    """Keep stop signals from the first moment, then run the command line; the exit status."""
    try:
        from explorer import stopping

        stopping.catch_early()  # before the imports that take time: a Ctrl-C meanwhile is not lost
    except KeyboardInterrupt:  # in the instant before: Ctrl-C's default, without a traceback
        import os
        import signal

        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        raise SystemExit(130) from None  # where a signal does not end a process (Windows)

    from explorer.commands import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
