"""Use cases: pure Python over the models; no Textual, no Rich."""
