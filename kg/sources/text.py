"""The sentence index of a shipped article text.

Offsets are 0-based indices into the Python ``str`` of the UTF-8 text, that is
Unicode code points, as the W3C Web Annotation ``TextPositionSelector`` asks.
Sentences are numbered through the whole article (``s01``, ``s02``, ...).

A paragraph printed twice (as the first paragraph of the 2019 S-400 report is)
is kept in the text; its second printing, and each of its sentences, ``repeats``
the first, and evidence may only cite a first printing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
# A sentence ends at . ? or ! (optionally followed by a closing quote) when the
# next non-space character opens a new sentence: a capital, a digit or a quote.
_SENTENCE_END = re.compile(r"[.?!][”\"’)]?(?=\s+[“\"‘(A-Z0-9])")


@dataclass(frozen=True)
class Segment:
    """A paragraph or sentence: its id, 1-based position and half-open span."""

    id: str
    position: int
    start: int
    end: int
    text: str
    repeats: str | None = None


@dataclass
class SentenceIndex:
    text: str
    paragraphs: list[Segment] = field(default_factory=list)
    sentences: list[Segment] = field(default_factory=list)
    #: sentence id -> paragraph id
    paragraph_of: dict[str, str] = field(default_factory=dict)

    def sentence(self, sid: str) -> Segment:
        for s in self.sentences:
            if s.id == sid:
                return s
        raise KeyError(sid)

    def canonical(self, sid: str) -> Segment:
        """The first printing of a sentence (itself unless it is a repeat)."""
        seg = self.sentence(sid)
        return self.sentence(seg.repeats) if seg.repeats else seg


def _split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    chunk = text[start:end]
    for m in _SENTENCE_END.finditer(chunk):
        stop = start + m.end()
        spans.append((pos, stop))
        pos = stop
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        spans.append((pos, end))
    return spans


def index_text(text: str) -> SentenceIndex:
    """Split *text* into paragraphs and sentences, marking repeated paragraphs."""
    idx = SentenceIndex(text=text)
    first_printing: dict[str, Segment] = {}
    n_sent = 0
    for p_no, m in enumerate(_PARAGRAPH.finditer(text), start=1):
        p_start, p_end = m.start(), m.end()
        # trim trailing spaces inside the paragraph span
        while p_end > p_start and text[p_end - 1].isspace():
            p_end -= 1
        body = text[p_start:p_end]
        original = first_printing.get(body)
        pid = f"p{p_no}"
        para = Segment(pid, p_no, p_start, p_end, body, original.id if original else None)
        idx.paragraphs.append(para)
        original_sentences = (
            [s for s in idx.sentences if idx.paragraph_of[s.id] == original.id] if original else []
        )
        for k, (s_start, s_end) in enumerate(_split_sentences(text, p_start, p_end)):
            n_sent += 1
            sid = f"s{n_sent:02d}"
            rep = original_sentences[k].id if original and k < len(original_sentences) else None
            idx.sentences.append(Segment(sid, n_sent, s_start, s_end, text[s_start:s_end], rep))
            idx.paragraph_of[sid] = pid
        if original is None:
            first_printing[body] = para
    return idx
