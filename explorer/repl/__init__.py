"""The explorer REPL: step through a live SMTP session, byte by byte (prompt_toolkit)."""
