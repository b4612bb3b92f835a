"""The protocol core: pure, sans-IO SMTP.

Nothing in this package touches a socket, a TLS context, an event loop or a terminal; it turns
commands into exact bytes and bytes into replies and state. A test scans these imports.
"""
