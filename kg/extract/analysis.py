"""One sentence read by spaCy's blank English pipeline: names, dates, numbers, triggers, cues.

No statistical model is loaded and nothing is fetched: ``spacy.blank("en")`` gives the
tokenizer, the known names are set as entities from the gazetteer (:mod:`kg.sources.mentions`'
matching rule), an ``EntityRuler`` adds dates, numbers and the shapes of names the graph does
not know (candidates), a ``Matcher`` finds event triggers and modality cues, and a
``PhraseMatcher`` the hedges, which are fixed phrases.

Offsets are code points of the whole article text, as the sentence index and the Web
Annotation selectors count them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import URIRef

from kg.extract.gazetteer import Gazetteer
from kg.sources.text import Segment

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
#: Fixed phrases that weaken a claim (the source's own words are kept as dkg:hedge).
HEDGES = ("is understood to", "are understood to", "reportedly", "is said to", "are said to",
          "is believed to", "are believed to", "is thought to", "appears to", "appear to",
          "according to people familiar", "is likely to", "allegedly", "purportedly")
#: Capitalised words that open sentences or name times, never entities by themselves.
NOT_NAMES = set(WEEKDAYS) | set(MONTHS) | {
    "The", "A", "An", "It", "Its", "In", "On", "At", "But", "And", "As", "If", "This", "That", "These",
    "Those", "He", "She", "They", "We", "I", "Officials", "Official", "Asked", "So", "Still", "Yet",
    "Earlier", "Later", "Last", "Next", "With", "Under", "After", "Before", "While", "Despite", "For",
    "No", "Not", "There", "When", "What", "Why", "Who", "How", "Such", "Both", "Neither", "Mr", "Ms",
    "Sources", "Analysts", "Defence", "Minister", "Ministry", "President", "Secretary", "Prime", "State",
    "Ambassador", "General", "Admiral", "Senator", "Director", "Dr", "Spokesman", "Spokeswoman", "Chief",
    # demonyms: adjectives, not names of anything the graph could hold
    "American", "Russian", "Chinese", "Indian", "Turkish", "Pakistani", "French", "British", "Israeli",
    "Japanese", "European", "Western", "Soviet",
}


@dataclass(frozen=True)
class Mention:
    """A stretch of the sentence that names something, with its article offsets."""

    start: int
    end: int
    text: str
    kind: str  # "known", "candidate", "date", "number"
    nodes: tuple[URIRef, ...] = ()
    value: str | None = None  # a number's or a date's value


@dataclass(frozen=True)
class Match:
    """A trigger or cue: its key (event type or cue kind), offsets and words."""

    key: str
    start: int
    end: int
    text: str


@dataclass
class Sentence:
    segment: Segment
    mentions: list[Mention] = field(default_factory=list)
    triggers: list[Match] = field(default_factory=list)
    cues: list[Match] = field(default_factory=list)
    #: spans inside quotation marks (article offsets, the marks excluded)
    quotes: list[tuple[int, int]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.segment.id

    @property
    def text(self) -> str:
        return self.segment.text

    def local(self, start: int, end: int) -> str:
        return self.segment.text[start - self.segment.start:end - self.segment.start]

    def known(self) -> list[Mention]:
        return [m for m in self.mentions if m.kind == "known"]

    def cues_of(self, kind: str) -> list[Match]:
        return [c for c in self.cues if c.key == kind]

    def in_quote(self, start: int, end: int) -> tuple[int, int] | None:
        return next(((a, b) for a, b in self.quotes if a <= start and end <= b), None)


def _words(*forms: str) -> dict:
    return {"LOWER": {"IN": list(forms)}}


_OPT = {"OP": "?"}
_ANY = {"OP": "?"}  # one optional token of any kind
#: Event triggers (CAMEO / PLOVER alignment in docs/extraction.md), as Matcher token patterns.
TRIGGERS: dict[str, list[list[dict]]] = {
    "appeal": [
        [_words("urge", "urged", "urges", "urging")],
        [_words("call", "called", "calling", "calls"), _words("on", "upon")],
        [_words("reiterated", "renewed", "repeated"), _words("its", "their", "his", "her"), _words("call", "appeal")],
        [_words("appealed", "appeals", "pressed", "pressing")],
        [_words("encouraging", "encouraged", "encourages", "encourage")],
    ],
    "threaten": [
        [_words("threatened", "threatens", "threaten", "threatening")],
        [_words("warned", "warns", "warning")],
        [_words("threat"), _words("of"), _words("sanctions")],
    ],
    "sanction": [
        [_words("imposed", "imposes", "impose", "imposing", "slapped", "levied"), {"OP": "*", "IS_PUNCT": False, "LOWER": {"NOT_IN": ["."]}}, _words("sanctions", "penalties")],
        [_words("sanctioned")],
    ],
    "offer": [
        [_words("offered", "offers", "offering")],
        [_words("offer"), _words("of", "to")],
    ],
    "contract": [
        [_words("signed", "signs", "concluded", "finalised", "finalized", "inked"), {"OP": "*", "LOWER": {"NOT_IN": [".", ";"]}},
         _words("contract", "contracts", "deal", "deals")],
        [_words("contracted"), _words("to"), _words("buy", "purchase", "acquire")],
        [_words("contract", "deal"), _words("for", "to"), _OPT, _words("buy", "purchase", "acquire", "supply")],
    ],
    "deliver": [
        [_words("delivered", "delivers", "deliver", "delivering", "shipped", "handed")],
        [_words("delivery", "deliveries", "shipment", "shipments")],
    ],
    "visit": [
        [_words("visit", "visited", "visits", "visiting", "trip")],
    ],
    # a consequence a conditional threat warns of ("will be denied F-35s if ...")
    "deny": [
        [_words("denied", "lose", "losing", "forfeit")],
        [_words("barred", "cut"), _words("from", "off")],
        [_words("will", "would"), _words("face"), _OPT, _words("sanctions", "penalties")],
    ],
    "approve": [
        [_words("approved", "approves", "approve", "cleared", "clears", "approval"), _OPT, _OPT, _words("sale", "sales")],
    ],
    "statement": [
        [_words("said", "says", "told", "stated", "added", "announced", "declared")],
    ],
    # The response to an offer, stated as not yet given: part of the offer, not an event.
    "unanswered": [
        [_words("not"), _OPT, _words("responded", "replied", "answered", "respond", "reply", "answer")],
        [_words("yet"), _words("to"), _words("respond", "reply", "answer")],
        [_words("no"), _words("response", "reply", "answer")],
    ],
}
#: Modality cues, as Matcher token patterns (hedges are phrases: :data:`HEDGES`).
CUES: dict[str, list[list[dict]]] = {
    "negation": [
        [_words("not", "n't", "never")],
        [_words("no"), _words("sign", "signs", "plan", "plans", "intention", "decision")],
        [_words("denied", "denies", "deny", "rejected", "ruled"), _words("that", "reports", "out", "any")],
    ],
    "conditional": [
        [_words("if", "unless")],
        [_words("should"), {"ENT_TYPE": {"IN": ["KNOWN", "CANDIDATE"]}, "OP": "+"}, _words("go", "buy", "proceed", "purchase")],
    ],
    "risk": [
        [_words("could", "might", "may", "would"), _words("leave", "expose", "face", "attract", "trigger", "invite"), {"OP": "*", "LOWER": {"NOT_IN": [".", ";"]}}, _words("sanctions", "penalties")],
        [_words("risk", "risks", "risking"), _OPT, _OPT, _words("sanctions", "triggering", "penalties")],
        [_words("open"), _words("to"), _words("sanctions")],
        [_words("exposed", "vulnerable"), _words("to"), _words("sanctions")],
    ],
}


_TITLE_HEAD = {"IS_TITLE": True, "TEXT": {"NOT_IN": sorted(NOT_NAMES)}}


@lru_cache(maxsize=1)
def pipeline():
    """spaCy's blank English pipeline with the rulers and matchers (built once per process)."""
    try:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher
    except ImportError:
        from kg.core.errors import KgError

        raise KgError("kg extract needs spaCy, which is not installed: pip install -e '.[extract]' "
                      "(scripts/setup.sh installs it)") from None

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": False, "phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(
        [{"label": "DATE", "pattern": [{"TEXT": {"REGEX": r"^(19|20)\d\d$"}}]}]
        + [{"label": "DATE", "pattern": [{"ORTH": d}]} for d in WEEKDAYS]
        + [{"label": "DATE", "pattern": [{"LOWER": w}, {"LOWER": u}]} for w in ("last", "next", "this")
           for u in ("year", "month", "week")]
        + [{"label": "DATE", "pattern": [{"LOWER": w}]} for w in ("yesterday", "today", "tomorrow")]
        + [{"label": "DATE", "pattern": [{"ORTH": m}, {"TEXT": {"REGEX": r"^(19|20)\d\d$"}, "OP": "?"}]} for m in MONTHS]
        + [{"label": "CARDINAL", "pattern": [{"LOWER": {"IN": list(NUMBER_WORDS)}}]},
           {"label": "CARDINAL", "pattern": [{"TEXT": {"REGEX": r"^(?!(19|20)\d\d$)\d{1,4}$"}}]}]
        # names the graph does not know: an acronym, or a run of capitalised words
        + [{"label": "CANDIDATE", "pattern": [{"TEXT": {"REGEX": r"^[A-Z][A-Z0-9-]{1,}[A-Z0-9]$"}}]},
           {"label": "CANDIDATE", "pattern": [_TITLE_HEAD, {"IS_TITLE": True, "OP": "*"}]},
           {"label": "CANDIDATE", "pattern": [_TITLE_HEAD, {"IS_TITLE": True, "OP": "*"},
                                             {"LOWER": {"IN": ["of", "for", "’s", "'s", "and"]}}, {"IS_TITLE": True, "OP": "+"}]}]
    )
    triggers = Matcher(nlp.vocab)
    for key, patterns in TRIGGERS.items():
        triggers.add(key, patterns)
    cues = Matcher(nlp.vocab)
    for key, patterns in CUES.items():
        cues.add(key, patterns)
    hedges = PhraseMatcher(nlp.vocab, attr="LOWER")
    hedges.add("hedge", [nlp.make_doc(h) for h in HEDGES])
    return nlp, triggers, cues, hedges


_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


def analyse(segment: Segment, gazetteer: Gazetteer) -> Sentence:
    """The names, dates, numbers, triggers and cues of one sentence."""
    from spacy.util import filter_spans

    nlp, trigger_matcher, cue_matcher, hedge_matcher = pipeline()
    base = segment.start
    doc = nlp.make_doc(segment.text)
    known = []
    for start, end, _name, nodes in gazetteer.spans(segment.text):
        span = doc.char_span(start, end, label="KNOWN", alignment_mode="expand")
        if span is not None:
            known.append((span, start, end, nodes))
    doc.ents = filter_spans([k[0] for k in known])
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    out = Sentence(segment)
    by_span = {(k[0].start, k[0].end): k for k in known}
    for ent in doc.ents:
        if ent.label_ == "KNOWN":
            _span, start, end, nodes = by_span[(ent.start, ent.end)]
            out.mentions.append(Mention(base + start, base + end, segment.text[start:end], "known", nodes))
            continue
        start, end = ent.start_char, ent.end_char
        text = segment.text[start:end]
        if ent.label_ == "CANDIDATE":
            text, end = _trim_candidate(text, start)
            if not text or (ent.start == 0 and " " not in text and not text.isupper()):
                continue  # one capitalised word opening the sentence is no evidence of a name
        kind = {"DATE": "date", "CARDINAL": "number", "CANDIDATE": "candidate"}[ent.label_]
        value = str(NUMBER_WORDS.get(text.lower(), text)) if kind == "number" else text
        out.mentions.append(Mention(base + start, base + end, text, kind, (), value))
    for key_id, s, e in trigger_matcher(doc):
        span = doc[s:e]
        out.triggers.append(Match(nlp.vocab.strings[key_id], base + span.start_char, base + span.end_char, span.text))
    for key_id, s, e in cue_matcher(doc):
        span = doc[s:e]
        out.cues.append(Match(nlp.vocab.strings[key_id], base + span.start_char, base + span.end_char, span.text))
    for _key, s, e in hedge_matcher(doc):
        span = doc[s:e]
        out.cues.append(Match("hedge", base + span.start_char, base + span.end_char, span.text))
    for m in _QUOTED.finditer(segment.text):
        g = 1 if m.group(1) is not None else 2
        out.quotes.append((base + m.start(g), base + m.end(g)))
    out.mentions.sort(key=lambda m: m.start)
    out.triggers = _longest(out.triggers)
    out.cues = _longest(out.cues)
    return out


def _trim_candidate(text: str, start: int) -> tuple[str, int]:
    """A candidate name less a possessive ending."""
    for ending in ("’s", "'s"):
        if text.endswith(ending):
            text = text[: -len(ending)]
    return text, start + len(text)


def _longest(matches: list[Match]) -> list[Match]:
    """One match per key where several overlap: the shortest (an open-ended pattern such as
    "signed ... deal" stops at its first end), then the first."""
    chosen: list[Match] = []
    for m in sorted(matches, key=lambda m: (m.key, m.end - m.start, m.start)):
        if not any(c.key == m.key and not (m.end <= c.start or m.start >= c.end) for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: (m.start, m.key))
