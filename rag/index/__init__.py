"""Persistence: the FAISS indexes, the chunk store and the manifest under ``index/``."""
