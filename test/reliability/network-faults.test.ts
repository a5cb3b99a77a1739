/**
 * Network faults: official clients append to the ledger through a proxy
 * that cuts their connections at seeded moments, at each kind of point
 * where a cut hurts most (mid frame, mid Transition, mid chunked
 * Transition, after a MutationResponse before its Transition). The clients
 * reconnect and re-send by themselves. Afterwards every client's
 * subscriptions must show what a client connected directly sees, and every
 * acknowledged append must be there exactly once, no rejected one at all.
 * FAULT_SEED re-runs a storm.
 */
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { Draw } from '../differential/draw.ts';
import { convexClients } from '../helpers/convex-clients.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import {
  CUT_KINDS,
  type CutKind,
  cutFits,
  type ServerFrame,
  startFaultProxy,
} from './fault-proxy.ts';
import { reportFigures } from './figures.ts';
import {
  allEntries,
  entryCount,
  ledgerAnomalies,
  ledgerWriter,
  sameSeqs,
  sendAppend,
  seqsOf,
  sleep,
} from './ledger-writers.ts';
import { bySize } from './reliability-size.ts';

const bulky = makeFunctionReference<
  'query',
  { writer: string; bytes: number },
  { seqs: number[]; ballast: string }
>('entries:bulky');

const seed = Number(process.env['FAULT_SEED'] ?? Date.now() % 100_000);
const size = bySize({
  ci: { writers: 3, appends: 30, inFlight: 4, cutsPerKind: 3 },
  full: { writers: 6, appends: 300, inFlight: 8, cutsPerKind: 25 },
});
/** Past the server's 5,000,000-byte limit, so this writer's Transitions come in chunks. */
const CHUNKED_BYTES = 5_100_000;
/** The bulky writer appends slowly: each append moves 5 MB to its client. */
const BULKY_PAUSE_MS = 200;
/** No writer goes on past this many appends waiting for cuts to happen. */
const MAX_APPENDS = bySize({ ci: 300, full: 3000 });
/** How likely a frame a wanted cut fits is cut: cuts spread over the storm. */
const CUT_CHANCE = 0.3;
/** Reconnects back off for seconds; several 5 MB Transitions take seconds more on a busy machine. */
const CONVERGE_MS = 60_000;

test(`clients converge through cut connections, each mutation applied once (seed ${seed})`, async () => {
  await using server = await startTestServer('ledger');
  const draw = new Draw(seed);

  // A connection may be cut once, and only after it has delivered a whole
  // Transition: the client has synced past its reconnect, so its backoff
  // starts again from one second instead of doubling up to sixteen. The
  // connection that carries chunks is kept for chunk cuts, the rarest kind:
  // each of its Transitions moves 5 MB.
  const synced = new Set<number>();
  const chunky = new Set<number>();
  const cutConnections = new Set<number>();
  let cutting = true;
  const decide = (frame: ServerFrame): CutKind | undefined => {
    if (frame.type === 'TransitionChunk') chunky.add(frame.connection);
    if (
      cutting &&
      synced.has(frame.connection) &&
      !cutConnections.has(frame.connection)
    ) {
      const wanted = CUT_KINDS.filter(
        (kind) =>
          proxy.cuts[kind] < size.cutsPerKind &&
          cutFits(kind, frame) &&
          chunky.has(frame.connection) === (kind === 'mid-chunked-transition'),
      );
      if (wanted.length > 0 && draw.chance(CUT_CHANCE)) {
        cutConnections.add(frame.connection);
        return draw.pick(wanted);
      }
    }
    if (
      frame.type === 'Transition' ||
      (frame.type === 'TransitionChunk' && !frame.moreParts)
    )
      synced.add(frame.connection);
    return undefined;
  };
  await using proxy = await startFaultProxy({
    target: () => server.port,
    decide,
  });
  const quotaMet = () =>
    CUT_KINDS.every((kind) => proxy.cuts[kind] >= size.cutsPerKind);

  await using proxied = convexClients(proxy.url);
  await using direct = convexClients(server.url);
  const writers = [
    ...Array.from({ length: size.writers }, (_, i) => `writer-${i}`),
    'bulky',
  ].map((name) =>
    ledgerWriter(
      name,
      proxied.open(),
      new Draw(seed + name.length + name.charCodeAt(name.length - 1)),
    ),
  );
  const watches = writers.map((writer) => ({
    writer,
    seqs:
      writer.name === 'bulky'
        ? null
        : watchQuery(writer.client, seqsOf, { writer: writer.name }),
    bulky:
      writer.name === 'bulky'
        ? watchQuery(writer.client, bulky, {
            writer: 'bulky',
            bytes: CHUNKED_BYTES,
          })
        : null,
    count: watchQuery(writer.client, entryCount, {}),
  }));

  await Promise.all(
    writers.map(async (writer) => {
      const isBulky = writer.name === 'bulky';
      const pending = new Set<Promise<void>>();
      for (
        let seq = 0;
        seq < MAX_APPENDS && (seq < size.appends || !quotaMet());
        seq++
      ) {
        while (pending.size >= (isBulky ? 1 : size.inFlight))
          await Promise.race(pending);
        const sent = sendAppend(writer, seq).finally(() =>
          pending.delete(sent),
        );
        pending.add(sent);
        await sleep(isBulky ? BULKY_PAUSE_MS : writer.draw.int(0, 5));
      }
      await Promise.all(pending);
    }),
  );
  cutting = false;

  // The truth, from a client that never went through the proxy.
  const truth = direct.open();
  const rows = await truth.query(allEntries, {});
  const anomalies = ledgerAnomalies(writers, rows);

  // Each proxied client's subscriptions end where the direct client's do.
  for (const { writer, seqs, bulky: big, count } of watches) {
    const expected = await truth.query(seqsOf, { writer: writer.name });
    const checks: [string, Promise<unknown> | undefined][] = [
      [
        'count',
        count.next(() => count.values.at(-1) === rows.length, CONVERGE_MS),
      ],
      [
        'rows',
        seqs?.next(() => sameSeqs(seqs.values.at(-1), expected), CONVERGE_MS),
      ],
      [
        'bulky rows',
        big?.next(
          () => sameSeqs(big.values.at(-1)?.seqs, expected),
          CONVERGE_MS,
        ),
      ],
    ];
    for (const [what, converged] of checks) {
      try {
        await converged;
      } catch {
        anomalies.push(`${writer.name}'s ${what} never converged`);
      }
    }
    seqs?.unsubscribe();
    big?.unsubscribe();
    count.unsubscribe();
  }

  reportFigures('network faults', {
    seed,
    ...Object.fromEntries(CUT_KINDS.map((kind) => [kind, proxy.cuts[kind]])),
    connections: proxy.connections(),
    acknowledged: writers.reduce((n, w) => n + w.acknowledged.size, 0),
    rejected: writers.reduce((n, w) => n + w.rejected.size, 0),
    anomalies: anomalies.length,
  });
  expect(anomalies).toEqual([]);
  for (const kind of CUT_KINDS)
    expect(proxy.cuts[kind], kind).toBeGreaterThanOrEqual(size.cutsPerKind);
}, 600_000);
