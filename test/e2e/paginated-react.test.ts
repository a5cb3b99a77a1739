// @vitest-environment jsdom
/**
 * usePaginatedQuery from `convex/react`, rendered in a DOM with a real
 * ConvexReactClient on a Converge server, while another client writes: the
 * pages stay gapless and free of duplicates as rows land inside and past
 * them, because each page's end is pinned by its journal (convex-protocol.md
 * §5.5) and every Transition moves all pages to one timestamp (§4.1).
 *
 * Written with `createElement` rather than JSX, so the rest of the repository
 * needs no JSX settings.
 */
import { renderHook, waitFor } from '@testing-library/react';
import { ConvexClient } from 'convex/browser';
import {
  ConvexProvider,
  ConvexReactClient,
  usePaginatedQuery,
} from 'convex/react';
import {
  makeFunctionReference,
  type PaginationOptions,
  type PaginationResult,
} from 'convex/server';
import { createElement, type ReactNode } from 'react';
import { describe, expect, test } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { startServerProcess } from '../helpers/converge-process.ts';

interface Item {
  _id: string;
  _creationTime: number;
  rank: number;
}
const list = makeFunctionReference<
  'query',
  { paginationOpts: PaginationOptions },
  PaginationResult<Item>
>('items:list');
const all = makeFunctionReference<'query', Record<string, never>, Item[]>(
  'items:all',
);
const insert = makeFunctionReference<'mutation', { rank: number }, string>(
  'items:insert',
);
const remove = makeFunctionReference<'mutation', { id: string }, null>(
  'items:remove',
);

/** Thirty rows the table starts with, 100 apart. */
const SEEDED = Array.from({ length: 30 }, (_, i) => (i + 1) * 100);
/**
 * Forty rows inserted one after another while pages load: scattered over
 * 7..3049 (17 is coprime with 40, so no rank repeats), before, inside and
 * past every page. All are odd, so none equals a seed.
 */
const INSERTED = Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) * 78 + 7);
const PAGE = 3;
const WAIT = { timeout: 5_000, interval: 10 };

const byRank = (a: number, b: number) => a - b;

/**
 * Throws unless `shown` is what one snapshot of the table holds up to its
 * last row. Inserts commit in the order of INSERTED, so a snapshot holding
 * INSERTED[k] holds every earlier insert too: each of those, and each seed,
 * at or below the last rank shown must be there, in order, once.
 */
function expectConsistentPrefix(shown: readonly number[]): void {
  const last = shown.at(-1);
  if (last === undefined) return;
  const newest = Math.max(...shown.map((rank) => INSERTED.indexOf(rank)));
  const snapshot = [...SEEDED, ...INSERTED.slice(0, newest + 1)].sort(byRank);
  expect(shown).toEqual(snapshot.filter((rank) => rank <= last));
}

describe('usePaginatedQuery through ConvexReactClient on a Converge server', () => {
  test('pages load, stay gapless under concurrent inserts, and lose deleted rows', async () => {
    await using server = await startServerProcess('paginated');
    // jsdom's WebSocket wraps undici's, which builds its events with the
    // global Event, here jsdom's, that Node's EventTarget then rejects: the
    // clients get the socket `convex/browser` itself uses under Node, which
    // lacks only the dispatchEvent the clients never call.
    const options = {
      webSocketConstructor: NodeWebSocket as unknown as typeof WebSocket,
    };
    const writer = new ConvexClient(server.url, options);
    const reactClient = new ConvexReactClient(server.url, options);
    try {
      for (const rank of SEEDED) await writer.mutation(insert, { rank });

      // Every render's concatenated pages, to check each one afterwards.
      const renders: number[][] = [];
      const wrapper = ({ children }: { children: ReactNode }) =>
        createElement(ConvexProvider, { client: reactClient }, children);
      const { result, unmount } = renderHook(
        () => {
          const paginated = usePaginatedQuery(
            list,
            {},
            { initialNumItems: PAGE },
          );
          renders.push(paginated.results.map((item) => item.rank));
          return paginated;
        },
        { wrapper },
      );
      const ranks = () => result.current.results.map((item) => item.rank);

      // The first page: the three lowest ranks, and more to load.
      await waitFor(
        () => expect(result.current.status).toBe('CanLoadMore'),
        WAIT,
      );
      expect(ranks()).toEqual([100, 200, 300]);

      // loadMore(3) subscribes to the next page, starting where the first ends.
      result.current.loadMore(PAGE);
      await waitFor(() => expect(ranks()).toHaveLength(6), WAIT);
      expect(ranks()).toEqual([100, 200, 300, 400, 500, 600]);
      expect(result.current.status).toBe('CanLoadMore');

      // Another client inserts forty rows, one mutation at a time, while
      // this one asks for two more rows every 50 ms whenever it may. After
      // every ten rows the writer waits for a page to be asked for, so pages
      // load while rows arrive however fast the inserts are.
      let writing = true;
      let loadsWhileWriting = 0;
      const inserts = (async () => {
        try {
          for (const [i, rank] of INSERTED.entries()) {
            await writer.mutation(insert, { rank });
            const pagesOwed = Math.floor((i + 1) / 10);
            await waitFor(
              () => expect(loadsWhileWriting).toBeGreaterThanOrEqual(pagesOwed),
              WAIT,
            );
          }
        } finally {
          writing = false;
        }
      })();
      while (writing) {
        if (result.current.status === 'CanLoadMore') {
          result.current.loadMore(2);
          loadsWhileWriting += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await inserts;

      // Once the inserts stop, loading to the end gives the whole table in order.
      const everything = [...SEEDED, ...INSERTED].sort(byRank);
      await waitFor(() => {
        // Each retry loads the next page if the last one is in.
        if (result.current.status === 'CanLoadMore')
          result.current.loadMore(10);
        expect(result.current.status).toBe('Exhausted');
        expect(ranks()).toEqual(everything);
      }, WAIT);
      const table = await writer.query(all, {});
      expect(result.current.results).toEqual(table);

      // No render along the way, and there were many, showed a gap, a
      // duplicate or a reordering.
      expect(renders.length).toBeGreaterThan(INSERTED.length / 2);
      for (const shown of renders) expectConsistentPrefix(shown);

      // Two rows leave the first page: one from its middle (rank 200), and
      // its last (rank 300, where its journal pinned its end). Nothing else
      // changes.
      const at = (rank: number) =>
        result.current.results.find((item) => item.rank === rank);
      const middle = at(200);
      const boundary = at(300);
      if (!middle || !boundary)
        throw new Error('The first page is missing rows.');
      await writer.mutation(remove, { id: middle._id });
      await writer.mutation(remove, { id: boundary._id });
      const gone = [middle._id, boundary._id];
      const remaining = table.filter((item) => !gone.includes(item._id));
      await waitFor(
        () => expect(result.current.results).toEqual(remaining),
        WAIT,
      );
      expect(result.current.status).toBe('Exhausted');

      // Rows written either side of the vanished boundary land in the pages
      // around it: its position still divides them, with no gap.
      await writer.mutation(insert, { rank: 299 });
      await writer.mutation(insert, { rank: 301 });
      const after = await writer.query(all, {});
      expect(after.map((item) => item.rank)).toEqual(
        expect.arrayContaining([299, 301]),
      );
      await waitFor(() => expect(result.current.results).toEqual(after), WAIT);
      unmount();
    } finally {
      await reactClient.close();
      await writer.close();
    }
  });
});
