/**
 * A loopback TCP proxy between official clients and a server that cuts
 * connections where a test says: the network failing at the worst moments.
 *
 * Client to server, bytes pass untouched. Server to client, the proxy reads
 * the HTTP upgrade answer and then WebSocket frames (the server's are never
 * masked, and a message is one frame), holds each frame until it has all of
 * it, names it by its JSON `type`, and asks `decide` whether to cut there. A cut forwards what its
 * kind says and then destroys both sockets, as a dropped connection would:
 *
 * - `mid-frame`: half of a frame that is not a Transition;
 * - `mid-transition`: half of a `Transition` frame;
 * - `mid-chunked-transition`: a `TransitionChunk` that is not the last, whole,
 *   so the client holds part of a Transition it will never complete;
 * - `after-mutation-response`: a `MutationResponse` whole, and not the
 *   Transition that must follow it before the client settles the mutation.
 *
 * The upstream is asked of `target` for each new connection, so a server
 * restarted on another port is found by the clients of the same proxy.
 * It is not a WebSocket implementation: it never answers pings or closes.
 */
import { type AddressInfo, createServer, connect, type Socket } from 'node:net';

export const CUT_KINDS = [
  'mid-frame',
  'mid-transition',
  'mid-chunked-transition',
  'after-mutation-response',
] as const;
export type CutKind = (typeof CUT_KINDS)[number];

/** A whole server-to-client frame, as `decide` sees it. */
export interface ServerFrame {
  /** Which proxied connection, from 0 in accept order. */
  connection: number;
  opcode: number;
  /** The JSON `type` of a text frame; undefined for others. */
  type: string | undefined;
  /** For a `TransitionChunk`: whether more parts follow it. */
  moreParts: boolean;
  bytes: number;
}

export interface FaultProxyOptions {
  /** The server's port on 127.0.0.1, asked at each new connection. */
  target: () => number;
  /** Whether to cut at this frame, and how; never cuts by default. */
  decide?: (frame: ServerFrame) => CutKind | undefined;
}

export interface FaultProxy extends AsyncDisposable {
  /** The proxy's URL: give it to clients instead of the server's. */
  url: string;
  /** Cuts made so far, by kind. */
  cuts: Record<CutKind, number>;
  /** Connections accepted so far. */
  connections(): number;
  /** Cuts every open connection now, between frames. */
  cutAll(): void;
}

/** Which frames each kind of cut may fall on. */
export function cutFits(kind: CutKind, frame: ServerFrame): boolean {
  switch (kind) {
    case 'mid-frame':
      return frame.type !== 'Transition' && frame.bytes > 2;
    case 'mid-transition':
      return frame.type === 'Transition';
    case 'mid-chunked-transition':
      return frame.type === 'TransitionChunk' && frame.moreParts;
    case 'after-mutation-response':
      return frame.type === 'MutationResponse';
  }
}

export async function startFaultProxy(
  options: FaultProxyOptions,
): Promise<FaultProxy> {
  const cuts: Record<CutKind, number> = {
    'mid-frame': 0,
    'mid-transition': 0,
    'mid-chunked-transition': 0,
    'after-mutation-response': 0,
  };
  const open = new Set<() => void>();
  let accepted = 0;
  const server = createServer((client) => {
    const connection = accepted++;
    const upstream = connect(options.target(), '127.0.0.1');
    const cut = () => {
      open.delete(cut);
      client.destroy();
      upstream.destroy();
    };
    open.add(cut);
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    client.pipe(upstream);
    const reader = new FrameReader(client, (frame, bytes) => {
      const kind = options.decide?.({ connection, ...frame });
      if (kind === undefined) {
        client.write(bytes);
        return true;
      }
      if (!cutFits(kind, { connection, ...frame }))
        throw new Error(`a ${kind} cut cannot fall on a ${frame.type} frame`);
      const kept =
        kind === 'mid-frame' || kind === 'mid-transition'
          ? bytes.subarray(0, Math.floor(bytes.length / 2))
          : bytes;
      cuts[kind] += 1;
      client.write(kept, cut);
      return false;
    });
    upstream.on('data', (chunk: Buffer) => reader.push(chunk));
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cuts,
    connections: () => accepted,
    cutAll() {
      for (const cut of [...open]) cut();
    },
    async [Symbol.asyncDispose]() {
      for (const cut of [...open]) cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Server-to-client bytes as the upgrade answer and then whole frames; each
 * goes to `forward`, which returns false to stop reading (the connection is
 * being cut).
 */
class FrameReader {
  readonly #client: Socket;
  readonly #forward: (
    frame: Omit<ServerFrame, 'connection'>,
    bytes: Buffer,
  ) => boolean;
  #buffer: Buffer = Buffer.alloc(0);
  #upgraded = false;
  #stopped = false;
  /** The type of the message a continuation frame belongs to. */
  #messageType: string | undefined;

  constructor(
    client: Socket,
    forward: (frame: Omit<ServerFrame, 'connection'>, bytes: Buffer) => boolean,
  ) {
    this.#client = client;
    this.#forward = forward;
  }

  push(chunk: Buffer): void {
    if (this.#stopped) return;
    this.#buffer =
      this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (!this.#upgraded) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.#client.write(this.#buffer.subarray(0, end + 4));
      this.#buffer = this.#buffer.subarray(end + 4);
      this.#upgraded = true;
    }
    for (;;) {
      const length = frameLength(this.#buffer);
      if (length === undefined || this.#buffer.length < length) return;
      const bytes = this.#buffer.subarray(0, length);
      this.#buffer = this.#buffer.subarray(length);
      if (!this.#forward(this.#describe(bytes), bytes)) {
        this.#stopped = true;
        return;
      }
    }
  }

  #describe(bytes: Buffer): Omit<ServerFrame, 'connection'> {
    const first = bytes[0] ?? 0;
    const opcode = first & 0x0f;
    const payload = bytes.subarray(headerLength(bytes) ?? 0);
    let type: string | undefined;
    let moreParts = false;
    if (opcode === 1) {
      const message = JSON.parse(payload.toString('utf8')) as {
        type?: string;
        partNumber?: number;
        totalParts?: number;
      };
      type = message.type;
      moreParts =
        type === 'TransitionChunk' &&
        (message.partNumber ?? 0) < (message.totalParts ?? 0) - 1;
      this.#messageType = type;
    } else if (opcode === 0) type = this.#messageType;
    return { opcode, type, moreParts, bytes: bytes.length };
  }
}

/** The length of a frame's header, once enough of it is here to tell. */
function headerLength(buffer: Buffer): number | undefined {
  if (buffer.length < 2) return undefined;
  const second = buffer[1] ?? 0;
  const masked = (second & 0x80) !== 0 ? 4 : 0;
  const short = second & 0x7f;
  const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
  return 2 + extended + masked;
}

/** The whole length of the frame at the start of `buffer`, once its header is here. */
function frameLength(buffer: Buffer): number | undefined {
  const header = headerLength(buffer);
  if (header === undefined || buffer.length < header) return undefined;
  const short = (buffer[1] ?? 0) & 0x7f;
  const payload =
    short === 126
      ? buffer.readUInt16BE(2)
      : short === 127
        ? Number(buffer.readBigUInt64BE(2))
        : short;
  return header + payload;
}
