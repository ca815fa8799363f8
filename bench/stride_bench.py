#!/usr/bin/env python3
"""Clients and bookkeeping for bench/run.sh. Each measuring subcommand prints one JSON object.

  stride_bench.py ingest   --port P --key K --file events.ndjson [--batch 5000] [--format ndjson|json]
  stride_bench.py latency  --port P --key K --from F --to T [--system S] [--runs 15] [--warmup 5]
  stride_bench.py naive    --script naive_sql.py --db naive.db --from F --to T [--system S]
  stride_bench.py wrk      < wrk-output.txt
  stride_bench.py ceiling  < sqlite-ceiling-output.txt
  stride_bench.py report   results.jsonl [--out latest.md]
  stride_bench.py hotspots trace.speedscope.json [--root FRAME] [--top 30]

The clients use http.client on one keep-alive connection per worker: the server is what is
measured. They report their own CPU time (client_cpu_s) and, given --server-pid, the server's
(server_cpu_s, from /proc), so a reader can see which side was busy."""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

CLK_TCK = os.sysconf('SC_CLK_TCK')


def proc_cpu_seconds(pid):
    """User + system CPU seconds of a process (None when it cannot be read)."""
    if not pid:
        return None
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK   # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


def proc_rss_mib(pid):
    """Peak resident memory of a process in MiB (VmHWM), or None."""
    if not pid:
        return None
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def emit(obj):
    print(json.dumps(obj, separators=(',', ':')))


# ------------------------------------------------------------------ batched ingestion

def make_bodies(path, batch, fmt):
    with open(path, 'rb') as f:
        lines = [line.rstrip(b'\n') for line in f if line.strip()]
    bodies = []
    for i in range(0, len(lines), batch):
        chunk = lines[i:i + batch]
        if fmt == 'json':
            body = b'[' + b','.join(chunk) + b']'
        else:
            body = b'\n'.join(chunk) + b'\n'
        bodies.append((len(chunk), body))
    return len(lines), bodies


def cmd_ingest(a):
    total, bodies = make_bodies(a.file, a.batch, a.format)
    ctype = 'application/json' if a.format == 'json' else 'application/x-ndjson'
    headers = {'Content-Type': ctype, 'Authorization': f'Bearer {a.key}'}
    lock = threading.Lock()
    state = {'next': 0, 'stored': 0, 'errors': [], 'latencies': []}

    def worker():
        conn = http.client.HTTPConnection('127.0.0.1', a.port, timeout=a.timeout)
        while True:
            with lock:
                i = state['next']
                state['next'] += 1
                if i >= len(bodies) or state['errors']:
                    break
            n, body = bodies[i]
            t = time.perf_counter()
            try:
                conn.request('POST', a.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    state['errors'].append(f'batch {i}: {type(e).__name__}: {e}')
                break
            dt = time.perf_counter() - t
            with lock:
                state['latencies'].append(dt)
                if resp.status != 200:
                    state['errors'].append(f'batch {i}: HTTP {resp.status}: {data[:500]!r}')
                    continue
                try:
                    stored = json.loads(data)['stored']
                except (ValueError, KeyError, TypeError):
                    state['errors'].append(f'batch {i}: unexpected body {data[:200]!r}')
                    continue
                if stored != n:
                    state['errors'].append(f'batch {i}: stored {stored} of {n}')
                state['stored'] += stored
        conn.close()

    if a.server_pid and proc_cpu_seconds(a.server_pid) is None:
        raise SystemExit(f'no process {a.server_pid}')
    s0 = proc_cpu_seconds(a.server_pid)
    c0 = time.process_time()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(a.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    c1 = time.process_time()
    s1 = proc_cpu_seconds(a.server_pid)
    lat = sorted(state['latencies'])
    emit({
        'events': total, 'requests': len(bodies), 'batch': a.batch, 'format': a.format,
        'connections': a.connections, 'stored': state['stored'], 'seconds': round(wall, 4),
        'events_per_s': round(total / wall, 1),
        'request_ms_median': round(statistics.median(lat) * 1000, 2) if lat else None,
        'request_ms_max': round(lat[-1] * 1000, 2) if lat else None,
        'client_cpu_s': round(c1 - c0, 3),
        'server_cpu_s': round(s1 - s0, 3) if s0 is not None and s1 is not None else None,
        'server_rss_mib': proc_rss_mib(a.server_pid),
        'errors': state['errors'][:5], 'error_count': len(state['errors']),
    })
    return 0 if not state['errors'] and state['stored'] == total else 1


# ------------------------------------------------------------------ metric latency

def dashboard_cookie(conn, key):
    """Signs in to the dashboard as a browser does (antiforgery token and cookie, then the form); returns the Cookie header."""
    cookies = {}

    def keep(resp):
        for name, value in resp.getheaders():
            if name.lower() == 'set-cookie':
                pair = value.split(';', 1)[0]
                k, _, v = pair.partition('=')
                cookies[k.strip()] = v.strip()

    conn.request('GET', '/sign-in')
    resp = conn.getresponse()
    page = resp.read().decode('utf-8', 'replace')
    keep(resp)
    m = re.search(r'name="__RequestVerificationToken" type="hidden" value="([^"]+)"', page) \
        or re.search(r'value="([^"]+)"[^>]*name="__RequestVerificationToken"', page)
    if not m:
        raise SystemExit('sign-in page: no antiforgery token found')
    body = urllib.parse.urlencode({'Key': key, '__RequestVerificationToken': m.group(1), 'ReturnUrl': '/'})
    conn.request('POST', '/sign-in', body=body, headers={
        'Content-Type': 'application/x-www-form-urlencoded',
        'Cookie': '; '.join(f'{k}={v}' for k, v in cookies.items())})
    resp = conn.getresponse()
    resp.read()
    keep(resp)
    if resp.status not in (302, 303):
        raise SystemExit(f'sign-in: HTTP {resp.status}')
    return '; '.join(f'{k}={v}' for k, v in cookies.items())


def cmd_latency(a):
    q = [('from', str(a.from_)), ('to', str(a.to))]
    if a.system:
        q.append(('system', a.system))
    conn = http.client.HTTPConnection('127.0.0.1', a.port, timeout=a.timeout)
    if a.dashboard:
        # The dashboard's first page for the same window and filters: tiles, charts and the recent lists.
        url = '/?' + urllib.parse.urlencode(q)
        headers = {'Cookie': dashboard_cookie(conn, a.key), 'Accept': 'text/html'}
    else:
        url = '/api/v1/metrics?' + urllib.parse.urlencode(q)
        headers = {'Authorization': f'Bearer {a.key}', 'Accept': 'application/json'}

    def once():
        t = time.perf_counter()
        conn.request('GET', url, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        dt = time.perf_counter() - t
        if resp.status != 200:
            raise SystemExit(f'GET {url}: HTTP {resp.status}: {data[:500]!r}')
        return dt, data

    first, body = once()                       # the first request after loading: cold
    for _ in range(max(0, a.warmup - 1)):
        once()
    s0 = proc_cpu_seconds(a.server_pid)
    times = []
    deadline = time.perf_counter() + a.seconds if a.seconds else None
    while (len(times) < a.runs) if deadline is None else (time.perf_counter() < deadline):
        dt, body = once()
        times.append(dt)
    s1 = proc_cpu_seconds(a.server_pid)
    conn.close()
    doc = {} if a.dashboard else json.loads(body)

    def pick(block, field):
        v = doc.get(block)
        return v.get(field) if isinstance(v, dict) else None

    times.sort()
    emit({
        'url': url, 'runs': len(times), 'warmup': a.warmup,
        'ms_median': round(statistics.median(times) * 1000, 3),
        'ms_min': round(times[0] * 1000, 3), 'ms_max': round(times[-1] * 1000, 3),
        'ms_p90': round(times[int(0.9 * (len(times) - 1))] * 1000, 3),
        'ms_first': round(first * 1000, 3),
        'server_cpu_ms_per_request': round((s1 - s0) * 1000 / len(times), 2) if s0 is not None and s1 is not None else None,
        'response_bytes': len(body),
        'check': {
            'deployments': pick('deploymentFrequency', 'deployments'),
            'median_lead_time': pick('leadTimeForChanges', 'medianSeconds'),
            'change_failure_rate': pick('changeFailureRate', 'rate'),
            'median_time_to_restore': pick('timeToRestore', 'medianSeconds'),
        },
    })
    return 0


# ------------------------------------------------------------------ references

def cmd_naive(a):
    args = [sys.executable, a.script, 'query', a.db, str(a.from_), str(a.to)]
    if a.system:
        args.append(a.system)
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    m = re.search(r'naive query median ([0-9.]+) ms \(min ([0-9.]+), max ([0-9.]+)\)', out)
    if not m:
        raise SystemExit(f'unexpected naive_sql.py output: {out!r}')
    check = json.loads(out.strip().splitlines()[0])
    emit({'ms_median': float(m.group(1)), 'ms_min': float(m.group(2)), 'ms_max': float(m.group(3)), 'check': check})
    return 0


def cmd_wrk(a):
    text = sys.stdin.read()

    def num(pattern, default=None, cast=float):
        m = re.search(pattern, text)
        return cast(m.group(1)) if m else default

    def to_ms(value, unit):
        return float(value) * {'us': 0.001, 'ms': 1.0, 's': 1000.0, 'm': 60000.0}[unit]

    lat = re.search(r'Latency\s+([0-9.]+)(us|ms|s|m)\s', text)
    sock = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', text)
    rps = num(r'Requests/sec:\s+([0-9.]+)')
    if rps is None:
        raise SystemExit(f'unexpected wrk output: {text!r}')
    emit({
        'requests_per_s': rps,
        'requests': num(r'(\d+) requests in', cast=int),
        'non_2xx': num(r'Non-2xx or 3xx responses: (\d+)', 0, int),
        'socket_errors': sum(int(x) for x in sock.groups()) if sock else 0,
        'latency_ms_avg': round(to_ms(*lat.groups()), 3) if lat else None,
    })
    return 0


def cmd_ceiling(a):
    text = sys.stdin.read()
    m = re.search(r'(\d+) rows in ([0-9.]+) s = (\d+) rows/s', text)
    if not m:
        raise SystemExit(f'unexpected sqlite-ceiling output: {text!r}')
    emit({'rows': int(m.group(1)), 'seconds': float(m.group(2)), 'rows_per_s': float(m.group(3))})
    return 0


# ------------------------------------------------------------------ report

def fmt_num(v, digits=0):
    if v is None:
        return '–'
    if digits == 0:
        return f'{v:,.0f}'
    return f'{v:,.{digits}f}'


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def cmd_report(a):
    rows = []
    with open(a.results) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    meta = next((r for r in rows if r.get('kind') == 'meta'), {})

    def of(kind, **match):
        return [r for r in rows if r.get('kind') == kind and all(r.get(k) == v for k, v in match.items())]

    out = []
    out.append(f"# Stride benchmark — {meta.get('date', '?')}")
    out.append('')
    out.append(f"Machine: {meta.get('machine', '?')}. Stride: `{meta.get('commit', '?')}`, on {meta.get('store', 'sqlite')}. "
               f"Each figure is the median over the repetitions shown; ratios compare medians measured in this run.")
    out.append('')
    out.append('| part | Stride (median) | reference (median) | ratio | target | reps | verdict |')
    out.append('| --- | --- | --- | --- | --- | --- | --- |')
    notes = []

    def verdict(ok):
        return 'n/a' if ok is None else ('**met**' if ok else '**MISSED**')

    # 1. batched ingestion
    b = of('batch')
    c = of('sqlite_ceiling')
    if b or c:
        s = med([r['events_per_s'] for r in b])
        ref = med([r['rows_per_s'] for r in c])
        ratio = s / ref if s and ref else None
        fresh = of('batch_fresh')
        errs = sum(r.get('error_count', 0) for r in b + fresh)
        fmt_ = b[0].get('format', 'ndjson') if b else 'ndjson'
        bs = b[0].get('batch', 5000) if b else 5000
        ok = ratio is not None and ratio >= 0.5 and errs == 0
        warmed = ' (after a warm-up run)' if fresh else ''
        out.append(f'| 1. batched ingestion, {bs:,}/request ({fmt_}), medium{warmed} | {fmt_num(s)} events/s | '
                   f'{fmt_num(ref)} rows/s (sqlite-ceiling) | {fmt_num(ratio * 100 if ratio else None, 1)} % | ≥ 50 % | '
                   f'{len(b)} / {len(c)} | {verdict(ok if b and c else None)} |')
        if fresh:
            fs = med([r['events_per_s'] for r in fresh])
            fratio = fs / ref if fs and ref else None
            out.append(f'| 1a. the same, the warm-up run: first requests of a fresh server | {fmt_num(fs)} events/s | '
                       f'{fmt_num(ref)} rows/s (sqlite-ceiling) | {fmt_num(fratio * 100 if fratio else None, 1)} % | (none) | '
                       f'{len(fresh)} / {len(c)} | n/a |')
        if errs:
            notes.append(f'batched ingestion: {errs} failed request(s): {(b or fresh)[0].get("errors")}')
        if b:
            cpu = med([r.get('server_cpu_s') for r in b])
            ccpu = med([r.get('client_cpu_s') for r in b])
            secs = med([r['seconds'] for r in b])
            notes.append(f'batched ingestion: {b[0]["events"]:,} events in {b[0]["requests"]} requests, '
                         f'median {fmt_num(secs, 2)} s wall; server CPU {fmt_num(cpu, 2)} s '
                         f'({fmt_num(cpu / secs if cpu and secs else None, 2)} cores), client CPU {fmt_num(ccpu, 2)} s; '
                         f'median request {fmt_num(med([r.get("request_ms_median") for r in b]), 1)} ms, '
                         f'peak server RSS {fmt_num(max((r.get("server_rss_mib") or 0) for r in b))} MiB')

    # 1b. batched ingestion into PostgreSQL (large dataset) against binary COPY
    pb = of('pgbatch')
    pc = of('postgres_ceiling')
    if pb or pc:
        s = med([r['events_per_s'] for r in pb])
        ref = med([r['rows_per_s'] for r in pc])
        ratio = s / ref if s and ref else None
        errs = sum(r.get('error_count', 0) for r in pb)
        ok = ratio is not None and ratio >= 0.5 and errs == 0
        out.append(f'| 1b. batched ingestion into PostgreSQL, large | {fmt_num(s)} events/s | '
                   f'{fmt_num(ref)} rows/s (postgres-ceiling, binary COPY) | {fmt_num(ratio * 100 if ratio else None, 1)} % | ≥ 50 % | '
                   f'{len(pb)} / {len(pc)} | {verdict(ok if pb and pc else None)} |')
        if pb:
            cpu = med([r.get('server_cpu_s') for r in pb])
            secs = med([r['seconds'] for r in pb])
            notes.append(f'PostgreSQL ingestion: {pb[0]["events"]:,} events in {pb[0]["requests"]} requests, median '
                         f'{fmt_num(secs, 2)} s wall; Stride server CPU {fmt_num(cpu, 2)} s (PostgreSQL\'s own CPU not counted)')
        if errs:
            notes.append(f'PostgreSQL ingestion: {errs} failed request(s): {pb[0].get("errors")}')

    # 2. single-event ingestion
    w = of('wrk', target='stride')
    k = of('wrk', target='kestrel')
    if w or k:
        s = med([r['requests_per_s'] for r in w])
        ref = med([r['requests_per_s'] for r in k])
        ratio = s / ref if s and ref else None
        bad = sum(r['non_2xx'] + r['socket_errors'] for r in w)
        ok = ratio is not None and ratio >= 0.4 and bad == 0
        out.append(f'| 2. single-event ingestion, wrk -t2 -c32 | {fmt_num(s)} req/s | {fmt_num(ref)} req/s (kestrel-ceiling) | '
                   f'{fmt_num(ratio * 100 if ratio else None, 1)} % | ≥ 40 %, 0 non-2xx | {len(w)} / {len(k)} | '
                   f'{verdict(ok if w and k else None)} |')
        def us_per_request(runs):
            return med([r['server_cpu_s'] * 1e6 / r['requests'] for r in runs
                        if r.get('server_cpu_s') is not None and r.get('requests')])
        notes.append(f'single-event ingestion: Stride non-2xx responses {sum(r["non_2xx"] for r in w)}, '
                     f'socket errors {sum(r["socket_errors"] for r in w)} (all reps); mean latency Stride '
                     f'{fmt_num(med([r.get("latency_ms_avg") for r in w]), 2)} ms vs ceiling '
                     f'{fmt_num(med([r.get("latency_ms_avg") for r in k]), 2)} ms; server CPU per request Stride '
                     f'{fmt_num(us_per_request(w), 1)} µs vs ceiling {fmt_num(us_per_request(k), 1)} µs '
                     f'(wrk shares the 2 cores, so requests/s follows CPU per request)')

    # 3. metric latency
    lat = of('latency')
    keys = []
    for r in lat:
        key = (r['dataset'], r['days'], r.get('system') or '')
        if key not in keys:
            keys.append(key)
    for dataset, days, system in keys:
        s_runs = of('latency', dataset=dataset, days=days, system=system)
        n_runs = of('naive', dataset=dataset, days=days, system=system)
        s = med([r['ms_median'] for r in s_runs])
        ref = med([r['ms_median'] for r in n_runs])
        speedup = ref / s if s and ref else None
        target = '≥ 100×' if dataset == 'medium' else '(none)'
        ok = (speedup >= 100) if (speedup is not None and dataset == 'medium') else None
        label = system or 'all systems'
        runs = s_runs[0]['runs'] if s_runs else 0
        out.append(f'| 3. GET /api/v1/metrics, {dataset}, {days} d, {label} | {fmt_num(s, 2)} ms '
                   f'(median of {runs}) | {fmt_num(ref, 1)} ms (naive_sql.py) | '
                   f'{fmt_num(speedup, 0) + "× faster" if speedup else "–"} | {target} | {len(s_runs)} / {len(n_runs)} | {verdict(ok)} |')
        if s_runs:
            r0 = s_runs[-1]
            notes.append(f'latency {dataset} {days} d {label}: first (cold) request {fmt_num(r0["ms_first"], 1)} ms, '
                         f'p90 {fmt_num(r0["ms_p90"], 2)} ms, server CPU {fmt_num(r0.get("server_cpu_ms_per_request"), 2)} ms/request, '
                         f'{r0["response_bytes"]} bytes')
            if n_runs:
                sc, nc = r0['check'], n_runs[-1]['check']
                diffs = [f'{f}: Stride {sc.get(f)} vs naive {nc.get(f)}'
                         for f in ('deployments', 'median_lead_time', 'median_time_to_restore')
                         if sc.get(f) is not None and nc.get(f) is not None and abs(float(sc[f]) - float(nc[f])) > 1e-6]
                if diffs:
                    notes.append(f'  check differs from naive ({dataset} {days} d {label}): ' + '; '.join(diffs))
                else:
                    notes.append(f'  check: deployments, median lead time and median restore time equal naive_sql.py\'s '
                                 f'({sc.get("deployments")}, {sc.get("median_lead_time")}, {sc.get("median_time_to_restore")})')

    # 4. the dashboard's first page against the metrics API, same window and filters
    dash = of('dashboard')
    dkeys = []
    for r in dash:
        key = (r['dataset'], r['days'], r.get('system') or '')
        if key not in dkeys:
            dkeys.append(key)
    for dataset, days, system in dkeys:
        d = med([r['ms_median'] for r in of('dashboard', dataset=dataset, days=days, system=system)])
        m = med([r['ms_median'] for r in of('latency', dataset=dataset, days=days, system=system)])
        ratio = d / m if d and m else None
        label = system or 'all systems'
        out.append(f'| 4. dashboard first page, {dataset}, {days} d, {label} | {fmt_num(d, 2)} ms | {fmt_num(m, 2)} ms (GET /api/v1/metrics) | '
                   f'{fmt_num(ratio, 2) + "×" if ratio else "–"} | ≤ 3× | {len(of("dashboard", dataset=dataset, days=days, system=system))} | '
                   f'{verdict(ratio <= 3 if ratio is not None else None)} |')

    for r in of('load'):
        notes.append(f'loaded {r["dataset"]} for the latency part: {r["events"]:,} events at '
                     f'{fmt_num(r["events_per_s"])} events/s ({fmt_num(r["seconds"], 1)} s), peak server RSS '
                     f'{fmt_num(r.get("server_rss_mib"))} MiB')
    for r in of('note'):
        notes.append(r['text'])

    if notes:
        out.append('')
        out.append('Details:')
        out.append('')
        out.extend(f'- {n}' if not n.startswith('  ') else f'  - {n.strip()}' for n in notes)
    out.append('')
    out.append(f"Command: `{meta.get('command', 'bench/run.sh')}`")
    text = '\n'.join(out) + '\n'
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text)
    sys.stdout.write(text)
    return 0


# ------------------------------------------------------------------ profiles

def cmd_hotspots(a):
    """Inclusive and self time of frames in a dotnet-trace speedscope file, all threads merged,
    counting only stacks that pass through a frame whose name contains --root."""
    import collections
    with open(a.file) as f:
        doc = json.load(f)
    names = [fr['name'] for fr in doc['shared']['frames']]

    def stacks():
        for p in doc['profiles']:
            if p['type'] == 'evented':
                stack, last = [], None
                for ev in p['events']:
                    if last is not None and stack:
                        yield stack, ev['at'] - last
                    last = ev['at']
                    if ev['type'] == 'O':
                        stack.append(ev['frame'])
                    else:
                        stack.pop()
            else:
                yield from zip(p['samples'], p['weights'])

    incl, self_t, total = collections.Counter(), collections.Counter(), 0.0
    for stack, dt in stacks():
        start = next((i for i, fr in enumerate(stack) if a.root in names[fr]), None)
        if start is None:
            continue
        sub = stack[start:]
        total += dt
        # The sampler ends each stack with a pseudo-frame (CPU_TIME, UNMANAGED_CODE_TIME): charge
        # self time to the deepest real frame, marked with that pseudo-frame.
        leaf = len(sub) - 1
        while leaf > 0 and names[sub[leaf]].isupper():
            leaf -= 1
        self_t[(sub[leaf], names[sub[-1]] if leaf < len(sub) - 1 else '')] += dt
        for fr in set(sub):
            incl[fr] += dt
    if not total:
        raise SystemExit(f'no samples pass through a frame containing {a.root!r}')
    print(f'{total:,.0f} ms of thread time under frames containing {a.root!r}')
    print('-- inclusive')
    for fr, t in incl.most_common(a.top):
        print(f'  {t / total * 100:5.1f}% {t:9,.0f} ms  {names[fr][:a.width]}')
    print('-- self (deepest managed frame; [UNMANAGED_CODE_TIME] = native code it called, e.g. SQLite)')
    for (fr, kind), t in self_t.most_common(a.top):
        print(f'  {t / total * 100:5.1f}% {t:9,.0f} ms  {names[fr][:a.width]}{" [" + kind + "]" if kind else ""}')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)

    p = sub.add_parser('ingest', help='POST a dataset in batches, print events/s')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--file', required=True)
    p.add_argument('--batch', type=int, default=5000)
    p.add_argument('--format', choices=['ndjson', 'json'], default='ndjson')
    p.add_argument('--connections', type=int, default=1,
                   help='concurrent keep-alive connections (1 keeps the dataset order exactly)')
    p.add_argument('--path', default='/api/v1/events')
    p.add_argument('--timeout', type=float, default=600)
    p.add_argument('--server-pid', type=int)
    p.set_defaults(fn=cmd_ingest)

    p = sub.add_parser('latency', help='time GET /api/v1/metrics (or, with --dashboard, the dashboard page)')
    p.add_argument('--dashboard', action='store_true', help='sign in and time GET / for the same filters')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--from', dest='from_', type=int, required=True)
    p.add_argument('--to', type=int, required=True)
    p.add_argument('--system')
    p.add_argument('--runs', type=int, default=15)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--seconds', type=float, help='time requests for this long instead of --runs times')
    p.add_argument('--timeout', type=float, default=600)
    p.add_argument('--server-pid', type=int)
    p.set_defaults(fn=cmd_latency)

    p = sub.add_parser('naive', help='run naive_sql.py query and parse its median')
    p.add_argument('--script', required=True)
    p.add_argument('--db', required=True)
    p.add_argument('--from', dest='from_', type=int, required=True)
    p.add_argument('--to', type=int, required=True)
    p.add_argument('--system')
    p.set_defaults(fn=cmd_naive)

    p = sub.add_parser('wrk', help='parse wrk output from stdin')
    p.set_defaults(fn=cmd_wrk)
    p = sub.add_parser('ceiling', help='parse sqlite-ceiling output from stdin')
    p.set_defaults(fn=cmd_ceiling)

    p = sub.add_parser('report', help='results.jsonl -> Markdown table')
    p.add_argument('results')
    p.add_argument('--out')
    p.set_defaults(fn=cmd_report)

    p = sub.add_parser('hotspots', help='summarize a dotnet-trace speedscope file')
    p.add_argument('file')
    p.add_argument('--root', default='HttpProtocol+<ProcessRequests>',
                   help='count only stacks through a frame containing this (default: Kestrel request processing)')
    p.add_argument('--top', type=int, default=30)
    p.add_argument('--width', type=int, default=160)
    p.set_defaults(fn=cmd_hotspots)

    a = ap.parse_args()
    return a.fn(a)


if __name__ == '__main__':
    sys.exit(main())
