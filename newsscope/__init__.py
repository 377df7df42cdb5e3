"""NewsScope: who said what, about whom, when, and which outlet reported it."""

__version__ = "0.1.0"

# Bump when a change alters what the build extracts: cached per-article results carry it in their key.
PIPELINE_VERSION = "3"  # 2: per-sentence predicates (doc_predicates) for happenings; 3: their headline phrases (no fronted phrase, relative subjects, particles)
