"""``kg extract`` and ``kg review``: a news text proposes facts with their spans; a person decides.

The layer sits above :mod:`kg.sources` (it reads the sentence index, the gazetteer of names
and the article folders it writes for) and below the CLI. ``gazetteer`` gathers the names the
graph already knows; ``analysis`` runs spaCy's blank English pipeline over each sentence
(names, dates, numbers, event triggers, modality cues); ``rules`` turns a sentence's analysis
into proposals; ``draft`` writes a draft article folder (``facts.ttl`` in the form the build
compiles, ``review.md``); ``review`` records a person's decisions and writes the accepted facts
into an article folder.
"""
