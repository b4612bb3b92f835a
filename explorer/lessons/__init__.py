"""Lessons: TOML scripts that instructors write, run step by step in the REPL or by the autopilot."""
