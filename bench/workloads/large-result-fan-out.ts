/**
 * W9, a 100-document result sent to 100 subscribers on each write
 * (fan-out.ts): 100 `ConvexClient`s watch a channel's 100 newest posts
 * (`feed:latest`) while another posts to it, so every write changes every
 * subscriber's whole result. Reports the time to the last subscriber, the
 * server's CPU per write and the bytes it sent per write, next to a raw
 * uWS publish of a frame of one update's size to 100 sockets. Encoding
 * the result once for all its subscribers is what keeps the CPU figure
 * near one subscriber's.
 */
import { makeFunctionReference } from 'convex/server';
import { withBaselineServer } from '../baseline-server.ts';
import { fmtBytes, fmtMs, fmtRatio, markdownTable } from '../markdown-table.ts';
import { openClient } from '../official-clients.ts';
import { withServerUnderTest } from '../server-under-test.ts';
import { type FanOutResult, measureFanOut } from './fan-out.ts';

interface Post {
  channel: string;
  author: string;
  body: string;
  likes: number;
}

const latest = makeFunctionReference<'query', { channel: string }, Post[]>(
  'feed:latest',
);
const post = makeFunctionReference<
  'mutation',
  { channel: string; author: string; body: string },
  null
>('feed:post');

export interface LargeResultFanOutResult extends FanOutResult {
  documents: number;
  /** All the server sent to the subscribers for one write. */
  bytesPerWrite: number;
}

const SUBSCRIBERS = 100;
const DOCUMENTS = 100;
const CHANNEL = 'bench';
/** A post of about 100 characters, as a chat message or a feed item runs. */
const BODY =
  'a post of about one hundred characters, the length of a short chat message or a feed item';
const WRITES = {
  quick: { warmupWrites: 3, writes: 20 },
  full: { warmupWrites: 10, writes: 100 },
};

export async function benchLargeResultFanOut(options: {
  full: boolean;
}): Promise<LargeResultFanOutResult> {
  return withServerUnderTest((server) =>
    withBaselineServer(async (raw) => {
      const seeder = openClient(server.url);
      for (let i = 0; i < DOCUMENTS; i++)
        await seeder.mutation(post, {
          channel: CHANNEL,
          author: `author-${i % 7}`,
          body: `#seed-${i} ${BODY}`,
        });
      await seeder.close();
      const fanOut = await measureFanOut(server, raw, {
        subscribers: SUBSCRIBERS,
        ...WRITES[options.full ? 'full' : 'quick'],
        query: latest,
        args: { channel: CHANNEL },
        write: (writer, i) =>
          writer.mutation(post, {
            channel: CHANNEL,
            author: 'writer',
            body: `#${i} ${BODY}`,
          }),
        shows: (posts, i) => posts[0]?.body.startsWith(`#${i} `) === true,
      });
      return {
        ...fanOut,
        documents: DOCUMENTS,
        bytesPerWrite: fanOut.updateBytes * SUBSCRIBERS,
      };
    }),
  );
}

export function largeResultFanOutMarkdown(
  result: LargeResultFanOutResult,
): string {
  return markdownTable(
    [
      'subscribers × documents',
      'to the last, p50',
      'max',
      'server CPU/write',
      'bench CPU/write',
      'sent/write',
      'publish p50',
      'publish CPU/write',
      'ratio (p50)',
    ],
    [
      [
        `${result.subscribers} × ${result.documents} (${result.writes} writes)`,
        fmtMs(result.converge.p50Ms),
        fmtMs(result.converge.maxMs),
        fmtMs(result.serverCpuMsPerWrite),
        fmtMs(result.benchCpuMsPerWrite),
        `${fmtBytes(result.bytesPerWrite)} (${fmtBytes(result.updateBytes)} each)`,
        fmtMs(result.publish.p50Ms),
        fmtMs(result.publishServerCpuMsPerWrite),
        fmtRatio(result.p50Ratio),
      ],
    ],
  );
}
