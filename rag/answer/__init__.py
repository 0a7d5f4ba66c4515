"""Answering: resolve follow-ups, select the sentences that answer, compose or refuse."""
