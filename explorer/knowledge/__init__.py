"""The knowledge tables: reply codes, enhanced status codes and EHLO extensions, as data.

The texts a learner reads live in the TOML files of this package, each under a language key;
the modules here only load them (:mod:`.tables`), pick a language, and put pieces together
(:mod:`.codes`, :mod:`.extensions`). Nothing here does I/O beyond reading those files, and
nothing is read until first use.
"""

from __future__ import annotations

from .codes import (
    CodeInfo,
    EnhancedInfo,
    explain_code,
    explain_enhanced,
    known_codes,
    known_enhanced_codes,
    parse_reply_line,
    why_now,
)
from .extensions import ExtensionInfo, explain_extension, known_extensions
from .tables import load

__all__ = [
    "CodeInfo",
    "EnhancedInfo",
    "ExtensionInfo",
    "explain_code",
    "explain_enhanced",
    "explain_extension",
    "known_codes",
    "known_enhanced_codes",
    "known_extensions",
    "load",
    "parse_reply_line",
    "why_now",
]
