"""`VectorFill`: the `VectorFiller` port (bot/ports/similarity.py) for `EmbeddingSimilarity`, run by
the `faq-vectors` job (bot/jobs.py) in the process that runs the jobs.

It walks the answered questions an embedding matcher may offer that have no vector for the
configured model yet (every one, right after a model is configured): the FAQs first, since every
question is compared with them, then the answers given under announcements, which only questions
about the same announcement meet — newest first, as questions mostly come under recent
announcements. A page of `FILL_BATCH` is read at a time and encoded in one call to the model:
sentence-transformers computes a batch cheaper per text than texts one by one, and a page at a time
never holds a table in memory. A vector whose wording an admin changed while the model was encoding
is not kept (`FaqVectorStore.keep_vectors`); a later run encodes the new wording.
"""

from __future__ import annotations

from adapters.similarity.embeddings import Encoder, encode_and_keep
from bot.ports.faq import FaqVectorStore

# Texts per call to the model (and rows per page): all-MiniLM-L6-v2 on one CPU thread cost 97 ms a
# long text in batches of 32 against 143 ms one at a time, and 22 ms a short one against 33; larger
# batches gain little more, and one call of 32 (1-3 s) holds little memory.
FILL_BATCH = 32


class VectorFill:
    def __init__(
        self, vectors: FaqVectorStore, encoder: Encoder, *, model: str, batch: int = FILL_BATCH
    ) -> None:
        self._vectors = vectors
        self._encoder = encoder
        self._model = model
        self._batch = batch

    async def fill(self, *, limit: int) -> int:
        encoded = 0
        for faqs in (True, False):
            encoded += await self._walk(faqs=faqs, limit=limit - encoded)
            if encoded >= limit:
                break
        return encoded

    async def _walk(self, *, faqs: bool, limit: int) -> int:
        """Encode up to `limit` missing vectors of one kind, a page at a time; how many."""
        encoded = 0
        before: int | None = None
        while encoded < limit:
            wanted = min(self._batch, limit - encoded)
            page = await self._vectors.missing_vectors(
                model=self._model, faqs=faqs, before=before, limit=wanted
            )
            await encode_and_keep(self._vectors, self._encoder, model=self._model, wordings=page)
            encoded += len(page)
            if len(page) < wanted:
                break
            # Past this page even where a vector was not kept (reworded meanwhile): a later run
            # meets it again, with its new wording.
            before = page[-1].question_id
        return encoded
