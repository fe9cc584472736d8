"""End-to-end check of the connector with Airbyte's own Python client.

Run by run.sh inside the PyAirbyte virtualenv:

    python e2e.py --connector BIN --fake BIN --protocol-python PY --workdir DIR

1. Starts the fake Botmaker API (internal/cmd/fakebotmaker) on loopback.
2. Runs spec, check, discover, read and a read from the final state with the
   binary and parses every stdout line with airbyte-protocol-models (in the
   protocol virtualenv, see parse_messages.py).
3. Syncs every stream with PyAirbyte, the binary as a local executable, into
   PyAirbyte's default local cache (DuckDB), and compares the rows per stream
   with the fake's totals.
4. Adds data through the fake's /_control endpoints, runs a second sync and
   checks that the incremental streams deliver the new records and nothing
   older than the lookback window before the first sync's state.
   Then syncs agent_metrics twice into a deduplicating cache (merge): rows
   of sessions without an agent land once each (issue 21).
5. Runs the README's PyAirbyte example (the sh block between its
   e2e:pyairbyte markers, unchanged) in a fresh copy of the repository, and
   checks what it prints.

Offline: AIRBYTE_OFFLINE_MODE=1 is PyAirbyte's switch that skips the
connector registry and telemetry (DO_NOT_TRACK=1 is set too), and every
HTTP(S) proxy variable points at a local listener that records any attempt to
reach the outside; the check fails if one is recorded.
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

TOKEN = "fake-botmaker-token-0123456789abcdef"  # fakebotmaker.DefaultToken
LOOKBACK_HOURS = 1  # the smallest the spec allows: the overlap to expect
# The streams, their sync modes and primary keys come from the connector's
# own discover (set_streams), never from a list here.
INCREMENTAL = []
FULL_REFRESH = []
PK = {}
# New items per incremental stream before the second sync, made by the
# fake's POST /_control/add (a stream whose fake endpoint has no such
# mutation fails the check, naming it).
ADDED = 3


def set_streams(catalog):
    for s in catalog["streams"]:
        name = s["name"]
        (INCREMENTAL if "incremental" in s["supported_sync_modes"] else FULL_REFRESH).append(name)
        PK[name] = [k[0] for k in s["source_defined_primary_key"]]
    INCREMENTAL.sort()
    FULL_REFRESH.sort()


class NetGuard:
    """A proxy that refuses everything and remembers who asked."""

    def __init__(self):
        self.attempts = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.sock.getsockname()[1]

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                conn.settimeout(2)
                first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                self.attempts.append(first)
            except OSError:
                self.attempts.append("(connection without a request line)")
            finally:
                conn.close()


def setup_env(workdir, guard):
    os.environ.update({
        "AIRBYTE_OFFLINE_MODE": "1",
        "DO_NOT_TRACK": "1",
        "AIRBYTE_PROJECT_DIR": str(workdir),
        "AIRBYTE_CACHE_ROOT": str(workdir / "cache"),
        "AIRBYTE_INSTALL_DIR": str(workdir / "install"),
        "AIRBYTE_TEMP_DIR": str(workdir / "tmp"),
        "AIRBYTE_LOGGING_ROOT": str(workdir / "logs"),
        "NO_LIVE_PROGRESS": "1",
        "HTTP_PROXY": guard.url, "HTTPS_PROXY": guard.url, "ALL_PROXY": guard.url,
        "http_proxy": guard.url, "https_proxy": guard.url, "all_proxy": guard.url,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    })
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)


def start_fake(fake_bin):
    # A fifth of the default dataset keeps both syncs to seconds at the
    # connector's real per-endpoint pacing.
    # Botmaker as its users report it (issue 21): agent-metrics rows of
    # sessions no agent took (agentId null or missing), metric values as
    # numbers.
    p = subprocess.Popen([fake_bin, "-addr", "127.0.0.1:0", "-seed", "7", "-scale", "0.2",
                          "-agentless-metrics", "-numeric-metrics"],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line:
        raise SystemExit("the fake API did not start")
    urls = json.loads(line)
    return p, urls["url"], urls["control"]


def control(base, op, method="GET", **params):
    q = "&".join("%s=%s" % kv for kv in params.items())
    req = urllib.request.Request(base + "/" + op + ("?" + q if q else ""), method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def write_config(workdir, api_url, now):
    cfg = {
        "access_token": TOKEN,
        "start_date": (now - dt.timedelta(days=91)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "long_term_search": True,
        "lookback_window_hours": LOOKBACK_HOURS,
        # Sync 2 runs seconds after sync 1 and must read what was added
        # to every incremental stream, so the billing months are read on
        # every sync; the default 24-hour cadence is tested in streams/.
        "billing_refresh_hours": 0,
        "base_url": api_url,
    }
    path = workdir / "config.json"
    path.write_text(json.dumps(cfg))
    return cfg, path


def protocol_check(connector, cfg_path, workdir, protocol_python):
    """Run every command and parse its stdout with airbyte-protocol-models."""
    out = workdir / "protocol"
    out.mkdir(exist_ok=True)

    def run(name, *args):
        path = out / (name + ".jsonl")
        with open(path, "w") as f:
            rc = subprocess.run([connector, *args], stdout=f, timeout=600).returncode
        if rc != 0:
            raise SystemExit("%s exited %d" % (name, rc))
        return path

    spec = run("spec", "spec")
    check = run("check", "check", "--config", str(cfg_path))
    discover = run("discover", "discover", "--config", str(cfg_path))
    catalog = next(json.loads(l)["catalog"] for l in open(discover) if '"CATALOG"' in l)
    configured = {"streams": [{
        "stream": s,
        "sync_mode": "incremental" if "incremental" in s["supported_sync_modes"] else "full_refresh",
        "destination_sync_mode": "append",
        "cursor_field": s.get("default_cursor_field"),
        "primary_key": s.get("source_defined_primary_key"),
    } for s in catalog["streams"]]}
    (out / "catalog.json").write_text(json.dumps(configured))
    read = run("read", "read", "--config", str(cfg_path), "--catalog", str(out / "catalog.json"))
    latest = {}
    for line in open(read):
        m = json.loads(line)
        if m["type"] == "STATE":
            latest[m["state"]["stream"]["stream_descriptor"]["name"]] = m["state"]
    (out / "state.json").write_text(json.dumps(list(latest.values())))
    read2 = run("read_with_state", "read", "--config", str(cfg_path), "--catalog", str(out / "catalog.json"),
                "--state", str(out / "state.json"))
    res = subprocess.run([protocol_python, str(Path(__file__).with_name("parse_messages.py")),
                          str(spec), str(check), str(discover), str(read), str(read2)],
                         capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        raise SystemExit("airbyte-protocol-models rejected the output:\n" + res.stdout + res.stderr)
    counts = json.loads(res.stdout)
    expect = [
        (spec, "SPEC", 1), (check, "CONNECTION_STATUS:SUCCEEDED", 1), (discover, "CATALOG", 1),
    ]
    for path, key, n in expect:
        if counts[str(path)].get(key) != n:
            raise SystemExit("%s: want %d %s, got %s" % (path.name, n, key, counts[str(path)]))
    r = counts[str(read)]
    streams = len(catalog["streams"])
    for key in ("TRACE:STREAM_STATUS:STARTED", "TRACE:STREAM_STATUS:COMPLETE"):
        if r.get(key) != streams:
            raise SystemExit("read: want %d %s, got %s" % (streams, key, r))
    if r.get("RECORD", 0) == 0 or r.get("STATE", 0) < streams:
        raise SystemExit("read: want records and a state per stream, got %s" % r)
    print("protocol models parsed every line:", json.dumps({Path(k).name: v for k, v in counts.items()}))
    return catalog


def state_cursors(provider, catalog):
    """The cursor PyAirbyte saved for each incremental stream after a sync,
    read under the stream's cursor field from discover: a state also holds
    other keys (last_deep_lookback, pending_backfill)."""
    field = {s.name: s.default_cursor_field[0] for s in catalog.streams if s.default_cursor_field}
    out = {}
    for msg in json.loads(provider.to_state_input_file_text()):
        stream = (msg.get("stream") or {})
        name = stream["stream_descriptor"]["name"]
        st = stream.get("stream_state") or {}
        v = st.get(field.get(name, ""))
        if isinstance(v, str):
            out[name] = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        # A month-by-month stream (settled_through in its state) reads
        # every month after the settled one again, whatever its cursor.
        m = st.get("settled_through")
        if isinstance(m, str) and name in out:
            y, mo = (int(x) for x in m.split("-"))
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
            first = dt.datetime(y, mo, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=LOOKBACK_HOURS, seconds=1)
            out[name] = min(out[name], first)
    return out


def rows(cache, stream):
    df = cache[stream].to_pandas()
    return df


def ids_since(df, stream, since):
    """Primary keys of the rows extracted at or after since (all if None).

    _airbyte_extracted_at is the record's emitted_at, stored as a naive UTC
    timestamp.
    """
    # PyAirbyte's cache lower-cases column names (sessionId is sessionid);
    # a composite key's parts are joined as the fake joins them (KeySep).
    cols = [re.sub(r"[^a-z0-9_]", "_", c.lower()) for c in PK[stream]]
    if since is not None:
        naive = since.astimezone(dt.timezone.utc).replace(tzinfo=None)
        df = df[df["_airbyte_extracted_at"] >= naive]
    if len(cols) == 1:
        return list(df[cols[0]])
    return ["|".join(t) for t in df[cols].itertuples(index=False, name=None)]


def dedup_check(ab, source, ctl):
    """agent_metrics read twice in full into a deduplicating cache (PyAirbyte's
    merge write strategy, MERGE INTO on the primary key): every row lands
    once, those of sessions no agent took included, keyed (sessionId, "").
    A null key part would match nothing, and its rows would pile up."""
    stream = "agent_metrics"
    cache = ab.new_local_cache("dedup")
    for _ in range(2):
        source.read(cache=cache, streams=[stream], write_strategy="merge", force_full_refresh=True)
    df = rows(cache, stream)
    keys = ids_since(df, stream, None)
    want = set(control(ctl, "ids", endpoint=stream))
    agentless = int((df["agentid"] == "").sum())
    nulls = int(df["agentid"].isna().sum())
    print("dedup %s rows %d  distinct %d  without an agent %d  fake %d" % (stream, len(keys), len(set(keys)), agentless, len(want)))
    failures = []
    if len(keys) != len(want) or set(keys) != want:
        failures.append("dedup: %s has %d rows (%d distinct) after two full syncs, the fake has %d" % (stream, len(keys), len(set(keys)), len(want)))
    if agentless == 0 or nulls:
        failures.append("dedup: %s has %d rows keyed without an agent and %d with a null agentId; want some and none" % (stream, agentless, nulls))
    return failures


README_BEGIN = "<!-- e2e:pyairbyte:begin -->"
README_END = "<!-- e2e:pyairbyte:end -->"
# The streams the README's example selects and prints a row count for.
README_STREAMS = ("chats", "messages")


def readme_example(root):
    """The sh code block between README_BEGIN and README_END in README.md."""
    text = (root / "README.md").read_text(encoding="utf-8")
    if text.count(README_BEGIN) != 1 or text.count(README_END) != 1:
        raise SystemExit("README.md must hold %s and %s once each" % (README_BEGIN, README_END))
    inner = text[text.index(README_BEGIN) + len(README_BEGIN):text.index(README_END)].strip("\n")
    if not inner.startswith("```sh\n") or not inner.endswith("\n```"):
        raise SystemExit("README.md: between %s and %s must be one ```sh code block" % (README_BEGIN, README_END))
    return inner[len("```sh\n"):-len("```")]


def fresh_copy(root, dest):
    """The repository's files as a fresh clone has them: tracked ones and
    new ones not ignored (git ls-files), nothing built or synced."""
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         capture_output=True, check=True).stdout
    for rel in out.decode().split("\0"):
        src = root / rel
        if not rel or not src.is_file():  # deleted but not yet committed
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)


def run_readme_example(workdir):
    """Runs the README's PyAirbyte block verbatim, as a newcomer would: in a
    fresh copy of the repository, with PyAirbyte's python3 first on PATH and
    no PyAirbyte setting in the environment, so the block itself must keep
    PyAirbyte offline. Returns the failures."""
    root = Path(__file__).resolve().parents[2]
    here = workdir / "readme-example"
    here.mkdir()
    fresh_copy(root, here)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRBYTE_") and k != "DO_NOT_TRACK"}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    p = subprocess.Popen(["bash", "-e", "-c", readme_example(root)], cwd=here, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    finally:
        # The block starts the fake API in the background; whatever it left
        # running goes with its process group.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    print("README example output:\n" + out.rstrip())
    if p.returncode != 0:
        return ["the README's PyAirbyte block exited %d:\n%s" % (p.returncode, err[-3000:])]
    failures = []
    if not (here / "secrets" / "fake-config.json").is_file():
        failures.append("the README's PyAirbyte block did not write secrets/fake-config.json")
    printed = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == "rows" and f[1].isdigit():
            printed[f[0]] = int(f[1])
    for stream in README_STREAMS:
        if not printed.get(stream):
            failures.append("the README's PyAirbyte block printed no rows for %s (got %s)" % (stream, printed))
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connector", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--protocol-python", required=True)
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args()
    workdir = Path(a.workdir or tempfile.mkdtemp(prefix="e2e-")).absolute()
    workdir.mkdir(parents=True, exist_ok=True)
    guard = NetGuard()
    setup_env(workdir, guard)

    import airbyte as ab  # after the environment: PyAirbyte reads it at import

    t0 = time.monotonic()
    fake, api_url, ctl = start_fake(a.fake)
    try:
        now = dt.datetime.now(dt.timezone.utc)
        cfg, cfg_path = write_config(workdir, api_url, now)
        set_streams(protocol_check(a.connector, cfg_path, workdir, a.protocol_python))
        t1 = time.monotonic()

        source = ab.get_source("source-botmaker", config=cfg, local_executable=a.connector,
                               install_if_missing=False)
        source.check()
        source.select_all_streams()
        cache = ab.get_default_cache()
        print("PyAirbyte default cache:", cache.db_path)
        sync1_start = dt.datetime.now(dt.timezone.utc)
        result = source.read(cache=cache, write_strategy="append")
        t2 = time.monotonic()
        failures = []
        for stream in INCREMENTAL + FULL_REFRESH:
            total = control(ctl, "total", endpoint=stream)["total"]
            got = ids_since(rows(result.cache, stream), stream, None)
            print("sync 1 %-8s rows %5d  fake total %5d" % (stream, len(got), total))
            if len(got) != total or len(set(got)) != total:
                failures.append("sync 1: %s has %d rows (%d distinct), the fake has %d" % (stream, len(got), len(set(got)), total))

        new = {stream: control(ctl, "add", "POST", endpoint=stream, n=ADDED) for stream in INCREMENTAL}
        # The fake stamps new items with whole seconds; the connector's
        # windows end at "now", so let a second pass before syncing again.
        time.sleep(1.1)
        # What the second sync may re-read besides the new records: items
        # from the first sync's saved cursor minus the lookback window (the
        # sessions cursor waits at the oldest still-open session, so it can
        # be days old).
        saved = state_cursors(cache.get_state_provider(source_name="source-botmaker"), source.discovered_catalog)
        sync2_start = dt.datetime.now(dt.timezone.utc)
        result2 = source.read(cache=cache, write_strategy="append")
        t3 = time.monotonic()
        for stream in INCREMENTAL:
            got = set(ids_since(rows(result2.cache, stream), stream, sync2_start))
            want_new = set(new[stream])
            cursor = saved.get(stream)
            if cursor is None:
                failures.append("sync 1: no cursor saved for %s" % stream)
                continue
            overlap_from = (cursor - dt.timedelta(hours=LOOKBACK_HOURS, seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            allowed_old = set(control(ctl, "ids", endpoint=stream, **{"from": overlap_from}))
            extra = got - want_new - allowed_old
            missing = want_new - got
            print("sync 2 %-8s rows %5d  new %d  re-read since %s: %d" % (stream, len(got), len(want_new), overlap_from, len(got - want_new)))
            if missing:
                failures.append("sync 2: %s is missing new records %s" % (stream, sorted(missing)))
            if extra:
                failures.append("sync 2: %s re-read %d records older than the lookback window, e.g. %s" % (stream, len(extra), sorted(extra)[:3]))
        for stream in FULL_REFRESH:
            got = ids_since(rows(result2.cache, stream), stream, sync2_start)
            total = control(ctl, "total", endpoint=stream)["total"]
            print("sync 2 %-8s rows %5d  (full refresh) fake total %5d" % (stream, len(got), total))
            if len(got) != total:
                failures.append("sync 2: full-refresh %s has %d rows, the fake has %d" % (stream, len(got), total))
        failures += dedup_check(ab, source, ctl)
        failures += run_readme_example(workdir)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    if guard.attempts:
        failures.append("outbound network attempts were made: %s" % guard.attempts)
    print("timings: protocol %.1fs, sync 1 %.1fs, sync 2 %.1fs" % (t1 - t0, t2 - t1, t3 - t2))
    if failures:
        print("E2E FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("E2E PASSED: protocol models, PyAirbyte sync of %d streams, an incremental sync and the README example, offline" %
          len(INCREMENTAL + FULL_REFRESH))
    return 0


if __name__ == "__main__":
    sys.exit(main())
