"""Retrieval: rank passages for a question and pick the sentence(s) that answer it."""
