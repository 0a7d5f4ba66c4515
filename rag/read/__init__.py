"""Reading: which retrieved sentence answers the question, and how sure (see reader.py)."""
