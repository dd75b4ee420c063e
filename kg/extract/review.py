"""``kg review``: a person accepts, rejects or edits what ``kg extract`` proposed.

Decisions are kept in the draft folder, in ``decisions.json`` (accepted, edited, rejected with
the reason: the log of the review), written whole after every decision by the one atomic
writer; the accepted facts are then written into ``<articles>/<slug>/`` (``facts.ttl`` with
their evidence, status ``accepted`` or ``edited``, and the article's text and metadata), an
article folder like any other that ``kg build`` compiles. An interrupted review (Ctrl-C) loses
at most the decision being typed: every file is whole, and the next ``kg review`` starts from
the decisions already made, and first brings the article folder up to date with them.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.core.errors import KgError, missing_file, read_utf8
from kg.core.rdfio import write_atomic
from kg.extract.draft import PROPOSALS, header, prefixes

DECISIONS = "decisions.json"
#: The first line of a fact file `kg review` writes: it never overwrites one without it.
MARK = "# Reviewed facts of "


@dataclass
class Review:
    folder: Path
    slug: str
    proposals: list[dict]
    decisions: dict[str, dict]

    def by_id(self, pid: str) -> dict:
        for p in self.proposals:
            if p["id"] == pid:
                return p
        known = ", ".join(p["id"] for p in self.proposals)
        raise KgError(f"unknown proposal {pid!r} in {self.folder} (it has {known})")

    def undecided(self) -> list[dict]:
        return [p for p in self.proposals if p["id"] not in self.decisions]

    def accepted(self) -> list[dict]:
        return [p for p in self.proposals if self.decisions.get(p["id"], {}).get("decision") in ("accepted", "edited")]


def open_review(folder: Path) -> Review:
    folder = Path(folder)
    path = folder / PROPOSALS
    if not path.is_file():
        raise missing_file(path, "draft (run `kg extract ARTICLE.txt -o DIR` first)")
    data = _json(path)
    decisions = _json(folder / DECISIONS).get("decisions", {}) if (folder / DECISIONS).is_file() else {}
    return Review(folder, data["slug"], data["proposals"], decisions)


def _json(path: Path) -> dict:
    try:
        return json.loads(read_utf8(path))
    except json.JSONDecodeError as exc:
        raise KgError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None


def save(review: Review) -> None:
    payload = json.dumps({"slug": review.slug, "decisions": review.decisions}, indent=1, ensure_ascii=False,
                         sort_keys=True) + "\n"
    write_atomic(review.folder / DECISIONS, payload.encode("utf-8"))


def check_turtle(slug: str, block: str) -> None:
    """A KgError unless *block* parses as Turtle under the fact file's prefixes."""
    try:
        Graph().parse(data=prefixes(slug) + block + "\n", format="turtle")
    except Exception as exc:  # rdflib raises several kinds; each is the reviewer's typo
        raise KgError(f"the edited proposal is not valid Turtle: {str(exc).splitlines()[0]}") from None


def decide(review: Review, pid: str, decision: str, reason: str | None = None, turtle: str | None = None) -> None:
    """Record one decision ("accepted", "rejected" or "edited") and save the log."""
    p = review.by_id(pid)
    if decision == "accepted" and p["missing"]:
        raise KgError(f"{pid} is incomplete (needs {'; '.join(p['missing'])}): edit it in `kg review "
                      f"{review.folder}` or reject it")
    if decision == "edited":
        check_turtle(review.slug, turtle or "")
    entry = {"decision": decision}
    if reason:
        entry["reason"] = reason
    if turtle is not None:
        entry["turtle"] = turtle
    review.decisions[pid] = entry
    save(review)


def accepted_text(review: Review) -> str:
    """The article's fact file: the accepted proposals (and the candidate entities they name)."""
    chosen = review.accepted()
    named = {n for p in chosen for n in p["names"]}
    entities = [p for p in review.proposals if p["node"] in named and p not in chosen
                and review.decisions.get(p["id"], {}).get("decision") != "rejected"]
    blocks = [MARK + review.slug + " (kg review)\n" + header(review.slug, "Accepted by a person from `kg extract`'s proposals.")]
    for p in sorted(chosen + entities, key=lambda p: p["id"]):
        d = review.decisions.get(p["id"], {})
        status = "edited" if d.get("decision") == "edited" else "accepted"
        block = d.get("turtle") or p["turtle"]
        blocks.append(f"# {p['id']} · {p['sentence']} · {p['rule']} · {status}"
                      + ("" if p in chosen else " (named by an accepted fact)") + "\n"
                      + block.replace('dkg:reviewStatus "proposed"', f'dkg:reviewStatus "{status}"'))
    return "\n\n".join(blocks) + "\n"


def write_article(review: Review, articles: Path) -> Path | None:
    """Write the accepted facts into ``articles/<slug>/``; None while nothing is accepted."""
    if not review.accepted():
        return None
    target = Path(articles) / review.slug
    facts = target / "facts.ttl"
    if facts.is_file() and not read_utf8(facts).startswith(MARK):
        raise KgError(f"{facts}: exists and was not written by `kg review`; it is left alone "
                      f"(give another --articles folder, or extract into a folder of another name)")
    for name in ("article.ttl", "LICENSE-ARTICLE.md"):
        write_atomic(target / name, (review.folder / name).read_bytes())
    write_atomic(facts, accepted_text(review).encode("utf-8"))
    write_atomic(target / "article.txt", (review.folder / "article.txt").read_bytes())  # last: the folder is whole
    return target


def apply(review: Review, articles: Path, accept=(), reject=(), above: float | None = None,
          reason: str | None = None) -> Path | None:
    """The non-interactive review: accept and reject by id, or accept every complete proposal
    of at least *above* confidence; then write the article folder."""
    for pid in accept:
        decide(review, pid, "accepted")
    for pid in reject:
        decide(review, pid, "rejected", reason or "rejected without a reason given")
    if above is not None:
        for p in review.undecided():
            if not p["missing"] and p["confidence"] >= above:
                decide(review, p["id"], "accepted")
    return write_article(review, articles)


# --- the interactive loop ------------------------------------------------------------------

def highlight(sentence: str, quote: str, tty: bool) -> str:
    """The sentence with the quote marked (reverse video on a terminal, else [[ ]])."""
    at = sentence.find(quote)
    if at < 0:
        return sentence
    a, b = ("\x1b[7m", "\x1b[0m") if tty else ("[[", "]]")
    return sentence[:at] + a + quote + b + sentence[at + len(quote):]


def edit_text(text: str, read, write) -> str | None:
    """The reviewer's new version of *text*: in ``$EDITOR`` if set, else typed lines ending with '.'."""
    editor = os.environ.get("EDITOR")
    if editor:
        fd, tmp = tempfile.mkstemp(suffix=".ttl")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            subprocess.run([*shlex.split(editor), tmp], check=False)
            return Path(tmp).read_text(encoding="utf-8")
        finally:
            os.unlink(tmp)
    write("Type the new Turtle for this proposal; end with a line holding only '.'\n")
    lines = []
    while True:
        line = read("")
        if line is None:
            return None
        if line.strip() == ".":
            return "\n".join(lines)
        lines.append(line)


def interactive(review: Review, articles: Path, sentences: dict[str, str], read, write, tty: bool = False) -> Path | None:
    """One proposal at a time: accept, reject (with a reason), edit, skip or quit."""
    write_article(review, articles)  # a review cut short before is brought up to date first
    for p in review.undecided():
        write(f"\n{p['id']}  {p['class'] or '(candidate entity)'}  confidence {p['confidence']:.2f}  "
              f"rule {p['rule']}  {p['modality']}\n")
        write(f"{p['sentence']}: {highlight(sentences.get(p['sentence'], ''), p['quote'], tty)}\n\n{p['turtle']}\n")
        for note in p["notes"]:
            write(f"  note: {note}\n")
        if p["missing"]:
            write(f"  incomplete: needs {'; '.join(p['missing'])} (edit it, or reject it)\n")
        while True:
            answer = read("[a]ccept  [r]eject  [e]dit  [s]kip  [q]uit > ")
            if answer is None or answer.strip().lower() in ("q", "quit"):
                return write_article(review, articles)
            choice = answer.strip().lower()[:1]
            try:
                if choice == "a":
                    decide(review, p["id"], "accepted")
                elif choice == "r":
                    why = read("reason > ")
                    decide(review, p["id"], "rejected", (why or "").strip() or "rejected without a reason given")
                elif choice == "e":
                    new = edit_text(p["turtle"], read, write)
                    if new is None:
                        return write_article(review, articles)
                    decide(review, p["id"], "edited", turtle=new)
                elif choice != "s":
                    continue
            except KgError as exc:
                write(f"kg: {exc}\n")
                continue
            break
        write_article(review, articles)
    return write_article(review, articles)
