"""Semantic matching for answers that already exist (issue 18): the `Similarity` port over an
embedding model (PARTNERBOT_SIMILARITY=embeddings). The model library is imported only by
`load_sentence_transformer`, when an operator configures one."""

from adapters.similarity.embeddings import EmbeddingSimilarity, Encoder
from adapters.similarity.filling import VectorFill
from adapters.similarity.loader import EncoderUnavailable, load_sentence_transformer

__all__ = ["EmbeddingSimilarity", "Encoder", "EncoderUnavailable", "VectorFill", "load_sentence_transformer"]
