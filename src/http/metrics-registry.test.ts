import { expect, test } from 'vitest';
import { MetricsRegistry } from './metrics-registry.ts';

test('MetricsRegistry renders counters, gauges and histograms in the Prometheus text format', () => {
  const registry = new MetricsRegistry();
  let sockets = 3;
  registry.gauge('sockets', 'Open sockets.', () => sockets);
  const requests = registry.counter('requests_total', 'Requests.');
  const latency = registry.histogram('latency_seconds', 'Latency.', [0.1, 1]);

  requests.inc({ route: '/api/query', status: '200' });
  requests.inc({ route: '/api/query', status: '200' });
  requests.inc({ route: 'say "hi"\n', status: '404' });
  latency.observe({ kind: 'query' }, 0.05);
  latency.observe({ kind: 'query' }, 0.5);
  latency.observe({ kind: 'query' }, 5);
  sockets = 4;

  expect(registry.render()).toBe(
    [
      '# HELP sockets Open sockets.',
      '# TYPE sockets gauge',
      // Read when scraped, not when registered.
      'sockets 4',
      '# HELP requests_total Requests.',
      '# TYPE requests_total counter',
      'requests_total{route="/api/query",status="200"} 2',
      'requests_total{route="say \\"hi\\"\\n",status="404"} 1',
      '# HELP latency_seconds Latency.',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{kind="query",le="0.1"} 1',
      'latency_seconds_bucket{kind="query",le="1"} 2',
      'latency_seconds_bucket{kind="query",le="+Inf"} 3',
      'latency_seconds_sum{kind="query"} 5.55',
      'latency_seconds_count{kind="query"} 3',
      '',
    ].join('\n'),
  );
});

test('MetricsRegistry refuses a name registered twice', () => {
  const registry = new MetricsRegistry();
  registry.counter('calls_total', 'Calls.');
  expect(() => registry.counter('calls_total', 'Calls.')).toThrow(
    'metric calls_total is registered twice',
  );
});
