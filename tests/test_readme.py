"""The README's commands stay true: every `kg` command it shows exists, and vice versa."""

from __future__ import annotations

import re

from conftest import ROOT

from kg.cli.app import make_parser

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
    from kg.sparql.named import named_queries

    for slug in named_queries():
        assert f"`{slug}`" in README, slug


def _console_examples() -> list[tuple[list[str], str]]:
    """Each ```console block of the README: the `$ .venv/bin/kg ...` command and what it prints."""
    import shlex

    out = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        command, _, printed = block.partition("\n")
        assert command.startswith("$ .venv/bin/kg "), command
        out.append((shlex.split(command[2:])[1:], printed.rstrip("\n")))
    return out


def test_the_readme_example_output_is_what_kg_query_prints(build_dir):
    """The headline example, run as written (on a fresh build), prints exactly what the README shows."""
    from conftest import run_kg

    examples = _console_examples()
    assert [argv[:2] for argv, _ in examples] == [["query", "who-risks-caatsa-for-s400"]]
    for argv, printed in examples:
        assert printed.count("\n") >= 4, printed  # a header, a rule, India, Turkey, the row count
        for route in ([], ["--backend", "rdflib"]):
            proc = run_kg(*argv, *route, "--build-dir", str(build_dir))
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.rstrip("\n") == printed, (route, proc.stdout)


def test_the_at_scale_commands_run(tmp_path):
    """The README's "At scale" example, run as written but on 3 synthetic articles."""
    import shlex

    from conftest import run_kg

    block = README.split("## At scale", 1)[1].split("```", 2)[1]
    lines = [l.split("#", 1)[0].strip() for l in block.strip().splitlines() if l.strip()]
    assert [l.split()[1] for l in lines] == ["synth", "build", "query", "serve"]
    for line in lines:
        argv = shlex.split(line.replace("/tmp/", f"{tmp_path}/").replace("--articles 500", "--articles 3"))
        assert argv[0] == ".venv/bin/kg"
        make_parser().parse_args(argv[1:])  # every option exists
        if argv[1] == "serve":
            continue  # runs until stopped; tests/test_server.py serves on both backends
        proc = run_kg(*argv[1:])
        assert proc.returncode == 0, (line, proc.stderr)
    # the query's answer, from the synthetic graph: at least one buyer of a Russian system, no empty table
    import csv
    import io

    header, *rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert header == ["actor", "deal", "system", "originState"]
    assert rows, "the at-scale query printed no rows"
    dkgr = "https://w3id.org/defence-kg/resource/"
    for actor, deal, system, origin in rows:
        assert actor.startswith(dkgr) and system.startswith(dkgr), (actor, system)
        assert deal.startswith(dkgr) and "-synth-" in deal, deal  # a synthetic article's deal, not the real one's
        assert origin == dkgr + "Russia"  # the state CAATSA targets
    assert rows == sorted(rows)  # ORDER BY ?actor ?deal ?system ?originState (IRIs compare as strings)


def test_the_readme_python_example_runs(build_dir, tmp_path):
    """The three lines of the public API in the README, run as written next to a build."""
    import re
    import shutil
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"### As a library\n\n```python\n(.*?)```", text, re.S).group(1)
    shutil.copytree(build_dir, tmp_path / "build")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    # by hand from the article: India (s03, the 2018 contract) and Turkey (s06) risk CAATSA for the S-400
    assert sorted(proc.stdout.splitlines()) == [
        "https://w3id.org/defence-kg/resource/India https://w3id.org/defence-kg/resource/contract-india-russia-s400-2018",
        "https://w3id.org/defence-kg/resource/Turkey https://w3id.org/defence-kg/resource/deal-turkey-s400",
    ]
