"""How long an editor waits for lint-canon's diagnostics, beside ruff's language server, on the
same 2,000-line file in one run.

    python benchmarks/lsp_latency.py [--rounds N]

Starts `lint-canon server` (and `ruff server`, when ruff is installed) as an editor does, over
stdio, with one bare LSP client for both; writes a canon and a generated 2,000-line module of vendor
calls, guards and plain code into a temporary folder; then times, from the moment the client
sends the message to the moment the diagnostics arrive:

- open: the first file opened (lint-canon starts its worker and loads its rules here);
- open again: the same file closed and opened (what a second file costs);
- change: an edit of one line (lint-canon waits CHANGE_DELAY after typing stops; the time
  printed includes it, and the figure after it leaves it out);
- code action: the quick fixes at a finding (lint-canon checks the text again and applies the
  fix in a worker).

Median and worst of ``--rounds`` rounds. A benchmark, not a test. ruff comes with
`pip install -e '.[bench]'`, pygls with `.[server]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lint_canon.frontends.server import CHANGE_DELAY

CANON = """version: 1
hubs: [HUB-A]
tools:
  - id: TOOL-001
    vendor: acme
    hubs: [HUB-A]
    interactions: [READ]
    hosts: [api.acme.com]
banned:
  - reason: "contract ended"
    modules: [clearbit]
"""
BLOCK = '''

class Client{n}:
    """Reads accounts from Acme ({n})."""

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.cache: dict[str, dict] = {{}}

    @enforce_tool_canon("TOOL-001", "HUB-A", InteractionType.READ)
    def account(self, key: str) -> dict:
        if key in self.cache:
            return self.cache[key]
        response = self.session.get(f"https://api.acme.com/v1/accounts/{{key}}", timeout=10)
        response.raise_for_status()
        self.cache[key] = response.json()
        return self.cache[key]

    def summary(self, keys: list[str]) -> dict[str, int]:
        counts: dict[str, int] = {{}}
        for key in keys:
            kind = key.split(":", 1)[0]
            counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items()))


def fetch_{n}(query: str) -> dict:
    return requests.get("https://api.acme.com/v1/search", params={{"q": query}}, timeout=5).json()
'''
HEAD = '''"""A generated module: vendor calls, guards and plain code."""

from __future__ import annotations

import requests

from lint_canon.guard import InteractionType, enforce_tool_canon
'''


def module(lines: int = 2000) -> str:
    text, n = HEAD, 0
    while text.count("\n") < lines:
        text += BLOCK.format(n=n)
        n += 1
    return text


class Client:
    """A bare LSP client over stdio (JSON-RPC with Content-Length framing), the same for both
    servers: what an editor sends, and the notifications read as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0
        self.responses: dict[int, asyncio.Future[Any]] = {}
        self.diagnostics: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls, command: list[str], cwd: Path) -> Client:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=str(cwd),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(process)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.responses[self.next_id] = future
        self._send({"id": self.next_id, "method": method, "params": params})
        return await future

    async def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := await stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(await stream.readexactly(length))
            if "id" in message and "method" in message:  # a request of the server's: accept it
                self._send({"id": message["id"], "result": None})
            elif "id" in message:
                self.responses.pop(message["id"]).set_result(message.get("result"))
            elif message.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics.put_nowait(message["params"])

    async def diagnostics_of(self, uri: str) -> list[Any]:
        while True:
            params = await self.diagnostics.get()
            if params["uri"] == uri:
                return list(params["diagnostics"])

    async def stop(self) -> None:
        await self.request("shutdown", None)
        self.notify("exit", None)
        await self.process.wait()
        self.reader.cancel()


async def measure(command: list[str], folder: Path, text: str, rounds: int, actions: bool) -> dict[str, list[float]]:
    client = await Client.start(command, folder)
    # No pull diagnostics: both servers push them, as most editors' clients take them.
    capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}
    await client.request("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": capabilities})
    client.notify("initialized", {})
    path = folder / "generated.py"
    path.write_text(text)
    uri = path.as_uri()
    times: dict[str, list[float]] = {"open": [], "open again": [], "change": [], "code action": []}
    found = 0
    try:
        for round_ in range(rounds):
            start = time.perf_counter()
            document = {"uri": uri, "languageId": "python", "version": 1, "text": text}
            client.notify("textDocument/didOpen", {"textDocument": document})
            diagnostics = await client.diagnostics_of(uri)
            found = len(diagnostics)
            times["open" if round_ == 0 else "open again"].append(time.perf_counter() - start)
            for version in range(2, 5):
                edited = text.replace("timeout=5)", f"timeout={version})", 1)
                start = time.perf_counter()
                client.notify(
                    "textDocument/didChange",
                    {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": edited}]},
                )
                diagnostics = await client.diagnostics_of(uri)
                times["change"].append(time.perf_counter() - start)
            if actions and diagnostics:
                start = time.perf_counter()
                await client.request(
                    "textDocument/codeAction",
                    {
                        "textDocument": {"uri": uri},
                        "range": diagnostics[0]["range"],
                        "context": {"diagnostics": [diagnostics[0]], "only": ["quickfix"]},
                    },
                )
                times["code action"].append(time.perf_counter() - start)
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            await client.diagnostics_of(uri)  # both servers clear them on close
    finally:
        await client.stop()
    print(f"  ({found} diagnostics on the file)")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    text = module()
    print(f"file: {text.count(chr(10)):,} lines; {args.rounds} rounds; lint-canon's typing pause {CHANGE_DELAY} s")
    servers = [("lint-canon server", [sys.executable, "-m", "lint_canon", "server"], True)]
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff:
        servers.append(("ruff server", [ruff, "server"], False))
    for name, command, actions in servers:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "canon.yaml").write_text(CANON)
            (folder / "ruff.toml").write_text('[lint]\nselect = ["E", "F", "TID251"]\n')
            print(name)
            times = asyncio.run(measure(command, folder, text, args.rounds, actions))
        for label, values in times.items():
            if not values:
                continue
            median, worst = statistics.median(values), max(values)
            line = f"  {label:<12} median {median * 1000:7.1f} ms, worst {worst * 1000:7.1f} ms"
            if label == "change" and name.startswith("lint-canon"):
                line += f"  (without the typing pause: median {(median - CHANGE_DELAY) * 1000:.1f} ms)"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
