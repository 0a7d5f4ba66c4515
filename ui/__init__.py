"""The Gradio web chat."""
