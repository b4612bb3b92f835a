"""smtp-explorer: an educational, step-by-step SMTP protocol explorer."""

__version__ = "0.1.0"
