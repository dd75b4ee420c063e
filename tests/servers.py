"""Real SPARQL servers for the tests: `kg serve`, Oxigraph and Virtuoso 7, on free loopback ports.

Each server is started as its own process and stopped by its PID. A server that
is not installed makes the test that needs it FAIL (never skip): install them
with ``scripts/setup.sh --test`` (scripts/setup.d/servers.sh).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIRTUOSO_PASSWORD = "kgTestSecret7"  # isql parses SET PASSWORD arguments as identifiers: no hyphens
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    url: str                      # the SPARQL query endpoint
    log: Path
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


def _wait_http(server: Server, url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"{server.name} exited with {server.proc.returncode} while starting:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                resp.read()
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError as exc:
            last = exc
            time.sleep(0.1)
    server.stop()
    pytest.fail(f"{server.name} did not answer at {url} within {seconds} s ({last}):\n{server.log_text()}")


def _binary(name: str, hint: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: {hint} (scripts/setup.sh --test installs it)")
    return found


def start_oxigraph(workdir: Path, union_default: bool = False, timeout_s: int | None = None) -> Server:
    """``oxigraph serve`` on a free port with its store in *workdir*."""
    exe = _binary("oxigraph", "pip install oxigraph")
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "oxigraph.log"
    cmd = [exe, "serve", "--location", str(workdir / "store"), "--bind", f"{HOST}:{port}"]
    if union_default:
        cmd.append("--union-default-graph")
    if timeout_s:
        cmd += ["--timeout-s", str(timeout_s)]
    proc = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server("oxigraph", proc, f"http://{HOST}:{port}/query", log)
    _wait_http(server, f"http://{HOST}:{port}/query?query=ASK%7B%7D", 20)
    return server


def start_virtuoso(workdir: Path) -> Server:
    """A private Virtuoso 7 (Debian's virtuoso-opensource): own ini and database in *workdir*, loopback ports."""
    exe = _binary("virtuoso-t", "apt-get install virtuoso-opensource")
    isql = _binary("isql-vt", "apt-get install virtuoso-opensource")
    template = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
    if not template.is_file():
        pytest.fail(f"{template} is missing: reinstall virtuoso-opensource")
    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = template.read_text()
    lines = []
    section = None
    for line in ini.splitlines():
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1]
        line = line.replace("/var/lib/virtuoso-opensource-7/db/", f"{workdir}/")
        if s.replace(" ", "").startswith("ServerPort="):
            port = sql_port if section == "Parameters" else http_port
            line = f"ServerPort = {HOST}:{port}"
        lines.append(line)
    (workdir / "virtuoso.ini").write_text("\n".join(lines) + "\n")
    log = workdir / "virtuoso.out"
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(workdir / "virtuoso.ini")], cwd=workdir,
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server("virtuoso", proc, f"http://{HOST}:{http_port}/sparql", log,
                    {"sql_port": sql_port, "http_port": http_port, "password": VIRTUOSO_PASSWORD})
    _wait_http(server, f"http://{HOST}:{http_port}/sparql?query=ASK%7B%7D", 90)
    out = subprocess.run([isql, f"{HOST}:{sql_port}", "dba", "dba",
                          f"exec=SET PASSWORD dba {VIRTUOSO_PASSWORD}; checkpoint;"],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    check = subprocess.run([isql, f"{HOST}:{sql_port}", "dba", VIRTUOSO_PASSWORD, "exec=SELECT 1;"],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if out.returncode != 0 or check.returncode != 0 or "Error" in out.stdout + out.stderr + check.stdout + check.stderr:
        server.stop()
        pytest.fail(f"could not set Virtuoso's dba password: {out.stdout}{out.stderr}{check.stdout}{check.stderr}")
    return server


def start_kg_serve(build_dir: Path, workdir: Path, *args: str, env: dict | None = None) -> Server:
    """``kg serve`` on a free port (--port 0 and --port-file), as a user runs it."""
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / "port"
    log = workdir / "serve.log"
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--build-dir", str(build_dir), "--port", "0",
                             "--port-file", str(port_file), *args],
                            cwd=ROOT, env=full_env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            pytest.fail(f"kg serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    port = int(port_file.read_text())
    server = Server("kg serve", proc, f"http://{HOST}:{port}/sparql", log, {"port": port, "base": f"http://{HOST}:{port}"})
    _wait_http(server, f"http://{HOST}:{port}/status", 30)
    return server
