/**
 * The banner `converge serve` and `converge dev` print on stdout once the
 * server listens: where to connect, what it runs on, and, on the first start
 * only, the admin key it made. The startup log record carries the same facts,
 * except the key, which is never logged.
 */

export interface BannerFacts {
  version: string;
  functions: string;
  url: string;
  siteUrl: string;
  store: string;
  transport: string;
  /** Shown only when this start made it. */
  adminKey: { key: string; created: boolean; keptIn: string };
  /** True under `converge dev`. */
  watching: boolean;
}

export function banner(facts: BannerFacts): string {
  const rows: [string, string][] = [
    ['deployment URL', facts.url],
    ['HTTP actions', facts.siteUrl],
    ['dashboard', `${facts.url}/dashboard`],
    ['store', facts.store],
    ['transport', `uWebSockets.js ${facts.transport}`],
  ];
  if (facts.adminKey.created)
    rows.push([
      'admin key',
      `${facts.adminKey.key}\n${' '.repeat(19)}(shown once; kept in ${facts.adminKey.keptIn})`,
    ]);
  if (facts.watching)
    rows.push(['watching', `${facts.functions}: reloads on every change`]);
  return (
    `Converge ${facts.version} serving ${facts.functions} at ${facts.url}\n\n` +
    rows.map(([name, value]) => `  ${name.padEnd(16)} ${value}\n`).join('') +
    '\n'
  );
}
