"""Specific errors with messages a user can act on; the CLI prints them as one line."""

from __future__ import annotations


class RagError(Exception):
    """Base class of every error this package raises on purpose."""


class CorpusError(RagError):
    """The seeds folder is missing or holds no readable essay."""


class IndexMissingError(RagError):
    """There is no index where one was expected."""


class IndexCorruptError(RagError):
    """An index file is missing, truncated, or does not match its checksum."""


class IndexWriteError(RagError):
    """The index folder cannot be written: no permission, or a read-only disk."""


class IndexMismatchError(RagError):
    """The index was built by another model, format or corpus than the one asked for."""


class QueryError(RagError, ValueError):
    """A question that cannot be asked: empty, whitespace only, over 2,000 characters or not
    words; a malformed conversation history; a k below 1."""


class ModelError(RagError):
    """The embedding model cannot be found or loaded offline."""
