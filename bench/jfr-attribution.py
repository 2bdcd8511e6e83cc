#!/usr/bin/env python3
"""Attribution of CPU samples in a JFR recording: per thread (grouped), then per thread the top self frames and
the top inclusive frames of the project's code; then the busy thread groups split into the parts of a trade's path
(first matching frame wins), in microseconds per trade when given the group's CPU per trade, as DeliveryBenchmark
prints it ("event loops=4.07" "delivery=1.86" "producer I/O=2.04").
Usage: bench/jfr-attribution.py FILE.jfr [TOP] [GROUP=US ...]  (needs the JDK's jfr on the path)"""
import json, re, subprocess, sys
from collections import Counter, defaultdict

def group(thread):
    t = re.sub(r'\d+', 'N', thread)
    return t

f = sys.argv[1]
rest = sys.argv[2:]
top = int(rest.pop(0)) if rest and '=' not in rest[0] else 8
us_per_trade = {k: float(v) for k, v in (a.split('=', 1) for a in rest)}
# Parts of a trade's path per thread group, the first rule whose frame is on the stack wins (so the observers run
# inside the publish come before the hand-over that calls them); '' takes the rest.
PARTS = {
    'event loops': [('Finnhub frame parse (Jackson, validation, Trade)', 'FinnhubFrameParser.parse'),
                    ('Vert.x event-bus Micrometer meters', 'VertxEventBusMetrics'),
                    ('metrics verticle (bus observer)', 'MetricsVerticle'),
                    ('debug tap (bus observer)', 'EventBusTap'),
                    ('event-bus hand-over to the writer', 'EventBusImpl.sendOrPub'),
                    ('frame routing (batch, last-trade map, ingest ids)', 'FrameRouter.onFrame'),
                    ('/status handler', 'StatusHttpVerticle'),
                    ('Kafka writer verticle (queue offer)', 'KafkaWriterVerticle'),
                    ('WebSocket read, frame decode, Netty I/O, other', '')],
    'delivery': [('record building (TradeJson, key)', 'OutboundRecord.trade'),
                 ('producer send (KafkaProducer.send)', 'KafkaProducer.send'),
                 ('queue, window, bookkeeping', '')],
    'producer I/O': [('our acknowledgement callback', 'InFlightWindow$Pending.onCompletion'),
                     ("the producer's completion of batches", 'completeFutureAndFireCallbacks'),
                     ('network, requests', '')],
}

def part_group(thread):
    return ('event loops' if thread.startswith('vert.x-eventloop') else 'delivery' if thread.startswith('kafka-delivery')
            else 'producer I/O' if thread.startswith('kafka-producer') else None)
out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', f], capture_output=True, text=True, check=True).stdout
events = json.loads(out)['recording']['events']
by_thread = Counter(); self_frames = defaultdict(Counter); incl = defaultdict(Counter); parts = defaultdict(Counter)
for e in events:
    v = e['values']; th = group(v['sampledThread']['javaName'] or v['sampledThread']['osName'])
    frames = [re.sub(r"\$\$Lambda.*", "$$Lambda", fr["method"]["type"]["name"].replace("/", ".")) + "." + fr["method"]["name"] for fr in v["stackTrace"]["frames"]]
    by_thread[th] += 1
    pg = part_group(th)
    if pg:
        stack = ' '.join(frames)
        parts[pg][next(name for name, key in PARTS[pg] if key in stack)] += 1
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
print('\n== parts of the path per thread group' + (' (µs per trade from the given CPU per trade)' if us_per_trade else ''))
for pg, rules in PARTS.items():
    n = sum(parts[pg].values())
    print(f'{pg}: {n} samples' + (f', {us_per_trade[pg]:.2f} µs per trade' if pg in us_per_trade else ''))
    for name, _ in rules:
        share = parts[pg][name] / max(n, 1)
        print(f'  {100 * share:4.0f} %' + (f'  {share * us_per_trade[pg]:5.2f} µs' if pg in us_per_trade else '') + f'  {name}')
