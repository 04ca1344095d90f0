"""spaCy's blank English pipeline with the lookup lemmatizer, built once and shared.

No trained spaCy model can be downloaded here; the blank pipeline tokenises and,
with spacy-lookups-data, gives lemmas ("needles" -> "needle", "breathing" -> "breathe").
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=1)
def english() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
