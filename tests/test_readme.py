"""The README's commands stay true: every `kg` command it shows exists, and vice versa."""

from __future__ import annotations

import re

from kg.cli import make_parser

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> set[str]:
    parser = make_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return set(sub.choices)


def test_every_kg_command_in_the_readme_exists():
    shown = set(re.findall(r"`kg (\w[\w-]*)", README)) | set(re.findall(r"\.venv/bin/kg (\w[\w-]*)", README))
    assert shown, "README shows no kg commands"
    assert shown <= _subcommands(), shown - _subcommands()


def test_every_command_is_documented():
    documented = set(re.findall(r"kg (\w[\w-]*)", README))
    assert _subcommands() <= documented, _subcommands() - documented


def test_readme_has_the_two_fresh_machine_commands_that_ci_runs():
    assert "<!-- main-command -->" in README and "<!-- test-command -->" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "block_after main-command" in ci and "block_after test-command" in ci


def test_every_named_question_is_listed_in_the_readme():
    from kg.queries import named_queries

    for slug in named_queries():
        assert f"`{slug}`" in README, slug
