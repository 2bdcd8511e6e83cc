#!/usr/bin/env python3
"""Attribution of CPU samples in a JFR recording: per thread (grouped), then per thread the top self frames and
the top inclusive frames of the project's code. Usage: bench/jfr-attribution.py FILE.jfr [TOP]  (needs the JDK's jfr on the path)"""
import json, re, subprocess, sys
from collections import Counter, defaultdict

def group(thread):
    t = re.sub(r'\d+', 'N', thread)
    return t

f = sys.argv[1]; top = int(sys.argv[2]) if len(sys.argv) > 2 else 8
out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', f], capture_output=True, text=True, check=True).stdout
events = json.loads(out)['recording']['events']
by_thread = Counter(); self_frames = defaultdict(Counter); incl = defaultdict(Counter)
for e in events:
    v = e['values']; th = group(v['sampledThread']['javaName'] or v['sampledThread']['osName'])
    frames = [re.sub(r"\$\$Lambda.*", "$$Lambda", fr["method"]["type"]["name"].replace("/", ".")) + "." + fr["method"]["name"] for fr in v["stackTrace"]["frames"]]
    by_thread[th] += 1
    if frames:
        self_frames[th][frames[0]] += 1
    seen = set()
    for fr in frames:
        if fr.startswith('dev.finnhubstream') and fr not in seen:
            seen.add(fr); incl[th][fr] += 1
total = sum(by_thread.values())
print(f'{total} samples')
for th, n in by_thread.most_common():
    print(f'\n== {th}: {n} samples, {100*n/total:.1f} %')
    print('  self:')
    for fr, c in self_frames[th].most_common(top):
        print(f'    {100*c/total:5.1f} %  {fr}')
    print('  project frames, inclusive:')
    for fr, c in incl[th].most_common(top):
        print(f'    {100*c/total:5.1f} %  {fr}')
