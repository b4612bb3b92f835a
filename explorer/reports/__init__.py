"""Saved sessions made readable: annotation, transcripts (text, Markdown, HTML ladder) and replay.

The flow is one way, like the rest of the explorer::

    chunks (exact bytes, times, TLS)  --annotate-->  Transcript (ordered exchanges)
                                                       |-> text / markdown / html renderers
                                                       |-> replay (offline step-through)

* :mod:`.annotate` lays out the one walker's output (:func:`explorer.recording.walker.analyse`: the
  connections, the client's units read as the server read them, each reply paired with what it
  answers) as exchanges, and words them;
* :mod:`.secrets` applies the recording's one redaction (:mod:`explorer.recording.secrets`)
  before anything is shown;
* :mod:`.save` writes sessions of the REPL's engine or of the sandbox (JSON Lines, see
  :mod:`explorer.recording.sessionfile`), :mod:`.sources` reads them back through the
  recording's one reader (a saved session, or one session of the sandbox's log);
* :mod:`.inspector` (``inspect``, ``sandbox --inspect``) and the class report (``class_*``)
  read recordings the same way;
* :mod:`.text`, :mod:`.markdown`, :mod:`.html` render; :mod:`.replay` steps through.

Learner-facing text lives in ``explorer/knowledge/transcript.toml``.
"""

from __future__ import annotations
