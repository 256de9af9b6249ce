"""Errors raised while reading or parsing a document.

Every message is one plain German sentence for the clerk; entry points print it without a
traceback.
"""


class IngestError(Exception):
    """A document could not be read or parsed; ``str(err)`` is the German message."""
