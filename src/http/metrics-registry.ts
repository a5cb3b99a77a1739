/**
 * MetricsRegistry: the numbers `GET /metrics` shows, in the Prometheus text
 * exposition format (version 0.0.4), with nothing to install: counters,
 * gauges read when scraped, and histograms with fixed buckets. Each metric
 * belongs to whoever records it; the registry only keeps and prints them.
 *
 * A label set is written as given, values escaped; metrics print in the
 * order they were registered, label sets in the order first seen.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
}

interface Metric {
  render(): string[];
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    const values = new Map<string, number>();
    this.#register(name, help, 'counter', () =>
      [...values].map(([labels, value]) => `${name}${labels} ${value}`),
    );
    return {
      inc(labels = {}, by = 1) {
        const key = labelText(labels);
        values.set(key, (values.get(key) ?? 0) + by);
      },
    };
  }

  /** A value read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    this.#register(name, help, 'gauge', () => [`${name} ${read()}`]);
  }

  /** `buckets`: the upper bounds, ascending; `+Inf` is added. */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    const series = new Map<
      string,
      { labels: Labels; counts: number[]; sum: number; count: number }
    >();
    this.#register(name, help, 'histogram', () =>
      [...series.values()].flatMap(({ labels, counts, sum, count }) => [
        ...buckets.map(
          (bound, i) =>
            `${name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[i] ?? 0}`,
        ),
        `${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`,
        `${name}_sum${labelText(labels)} ${sum}`,
        `${name}_count${labelText(labels)} ${count}`,
      ]),
    );
    return {
      observe(labels, value) {
        const key = labelText(labels);
        let entry = series.get(key);
        if (entry === undefined) {
          entry = { labels, counts: buckets.map(() => 0), sum: 0, count: 0 };
          series.set(key, entry);
        }
        for (let i = 0; i < buckets.length; i++)
          if (value <= (buckets[i] ?? Infinity))
            entry.counts[i] = (entry.counts[i] ?? 0) + 1;
        entry.sum += value;
        entry.count += 1;
      },
    };
  }

  /** Everything, as a scrape answers it. */
  render(): string {
    return [...this.#metrics.values()]
      .flatMap((metric) => metric.render())
      .map((line) => `${line}\n`)
      .join('');
  }

  #register(
    name: string,
    help: string,
    type: 'counter' | 'gauge' | 'histogram',
    samples: () => string[],
  ): void {
    if (this.#metrics.has(name))
      throw new Error(`metric ${name} is registered twice`);
    this.#metrics.set(name, {
      render: () => [
        `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
        `# TYPE ${name} ${type}`,
        ...samples(),
      ],
    });
  }
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const text = entries
    .map(
      ([name, value]) =>
        `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
  return `{${text}}`;
}
