"""Ingestion: read essays, split them into sentences and chunks with exact offsets."""
