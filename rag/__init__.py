"""Cited question answering over a folder of essays.

    from rag import Retriever
    retriever = Retriever.open("seeds", "index")   # builds the index on first use
    for p in retriever.search("what tariffs does japan face?", k=3):
        print(p.score, p.title, p.quote)
"""

from .errors import (
    CorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    ModelError,
    QueryError,
    RagError,
)
from .answer.assistant import Assistant, RefusalPolicy
from .read.reader import Reader
from .retrieve.retriever import Retriever, Weights
from .settings import Settings, settings_from_env
from .types import Answer, Chunk, Citation, Document, Passage, Sentence

__all__ = [
    "Answer",
    "Assistant",
    "Chunk",
    "Citation",
    "CorpusError",
    "Document",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexWriteError",
    "ModelError",
    "Passage",
    "QueryError",
    "RagError",
    "Reader",
    "RefusalPolicy",
    "Retriever",
    "Sentence",
    "Settings",
    "Weights",
    "settings_from_env",
]
