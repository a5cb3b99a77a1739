/**
 * The serializability checker: given everything a workload over list-append
 * registers observed (test/apps/registers), it decides whether one serial
 * order of the committed transactions explains every committed result,
 * every one-shot query and every value a subscription delivered, and names
 * the anomaly when none does. Pure: no sockets, no clocks.
 *
 * Each transaction appends one unique token to each key it writes, so a
 * read of a key names the writers of everything it saw, and the longest
 * list observed for a key is the order of its writes (ww). On that order a
 * read of a key yields a write-read edge from the writer of the last token
 * it saw and an anti-dependency (rw) to the writer of the first token it did
 * not see. Consecutive operations of one client, and consecutive values of
 * one subscription, are ordered too (session edges): a client never sees
 * the past after the present, and once its mutation has returned, its
 * subscription already shows it. A serial order exists
 * only if this graph has no cycle; each cycle found is classified by its
 * edges as in Adya's hierarchy (G0, G1c, G-single, G2), with the common
 * shapes named for what they are: lost update, write skew, fractured read.
 *
 * Before the graph, the reads themselves are checked: every observed list
 * of a key must be a prefix of one order (else incompatible order), hold
 * each token once (else duplicated append), hold only tokens that some
 * transaction wrote (else phantom write) and that committed (else aborted
 * read); a read seeing part of a transaction's writes must see all of those
 * on the keys it read (else fractured read); a subscription never goes back
 * (else non-monotonic subscription); and the final state, read after every
 * transaction ended, holds every committed append (else lost write).
 *
 * What it does not check: real-time order between different clients (strict
 * serializability), since a client's requests reach the server through its
 * own socket and their wall-clock order across sockets is not recorded.
 */

export type Key = string;
export type Token = string;

/** Every key's list of tokens, as one read saw it. */
export type Registers = Readonly<Record<Key, readonly Token[]>>;

export interface Transaction {
  id: string;
  /**
   * `unknown` when the client never learned the outcome: its appends may or
   * may not be visible, and what it read is not known.
   */
  status: 'committed' | 'failed' | 'unknown';
  /** What it read, before its own appends; empty unless committed. */
  reads: Registers;
  /** The token it appended to each key it wrote (the client chose them). */
  appends: Readonly<Record<Key, Token>>;
}

/** A one-shot read of some keys at one snapshot. */
export interface Query {
  id: string;
  registers: Registers;
}

/** Every value one subscription delivered, in delivery order. */
export interface Subscription {
  id: string;
  values: readonly Registers[];
}

export interface History {
  transactions: readonly Transaction[];
  queries: readonly Query[];
  subscriptions: readonly Subscription[];
  /**
   * Each client's operations (by id) in the order it saw them: transactions
   * and queries it ran one after another and, for a subscriber, the latest
   * value its subscription had delivered before and after each of them.
   */
  sessions: readonly (readonly string[])[];
  /** Every key, read once every transaction had ended. */
  final?: Registers;
}

export type AnomalyKind =
  | 'lost-update'
  | 'write-skew'
  | 'fractured-read'
  | 'G0'
  | 'G1c'
  | 'G-single'
  | 'G2'
  | 'incompatible-order'
  | 'duplicated-append'
  | 'phantom-write'
  | 'aborted-read'
  | 'lost-write'
  | 'non-monotonic-subscription';

export interface Anomaly {
  kind: AnomalyKind;
  /** The transactions, queries and subscription values involved, by id. */
  involved: string[];
  /** What was seen, in words, with the ids and tokens that show it. */
  explanation: string;
}

export interface CheckResult {
  anomalies: Anomaly[];
  /** How many operations of each sort were checked and how many edges the graph had. */
  checked: {
    committed: number;
    failed: number;
    queries: number;
    snapshots: number;
    edges: number;
  };
}

type EdgeType = 'ww' | 'wr' | 'rw' | 'session';

interface Edge {
  type: EdgeType;
  /** The key it came from; none for session edges. */
  key?: Key;
}

/** A read of one key by one node of the graph. */
interface Read {
  reader: string;
  key: Key;
  list: readonly Token[];
}

/** The id of a subscription's `index`-th value. */
export function snapshotId(subscription: string, index: number): string {
  return `${subscription}@${index}`;
}

export const FINAL_ID = 'final';

export function checkSerializability(history: History): CheckResult {
  const anomalies: Anomaly[] = [];
  const seen = new Set<string>();
  const report = (anomaly: Anomaly): void => {
    const identity = `${anomaly.kind} ${[...anomaly.involved].sort().join(' ')}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    anomalies.push(anomaly);
  };

  const writers = indexWriters(history.transactions);
  const writerOf = (key: Key, token: Token): Transaction | undefined =>
    writers.get(key)?.get(token);

  const states = readStates(history);
  const reads: Read[] = states.flatMap(({ reader, registers }) =>
    Object.entries(registers).map(([key, list]) => ({ reader, key, list })),
  );

  // Observed tokens come from a write of the same key that was not aborted, once each.
  const visible = new Set<Transaction>();
  for (const { reader, key, list } of reads) {
    const counted = new Set<Token>();
    for (const token of list) {
      if (counted.has(token))
        report({
          kind: 'duplicated-append',
          involved: [reader, ...ids(writerOf(key, token))],
          explanation: `${reader} read ${key} = ${show(list)}, which holds ${token} more than once`,
        });
      counted.add(token);
      const writer = writerOf(key, token);
      if (writer === undefined)
        report({
          kind: 'phantom-write',
          involved: [reader],
          explanation: `${reader} read ${token} in ${key}, which no transaction appended to ${key}`,
        });
      else if (writer.status === 'failed')
        report({
          kind: 'aborted-read',
          involved: [reader, writer.id],
          explanation: `${reader} read ${token} in ${key}, appended by ${writer.id}, which failed`,
        });
      else visible.add(writer);
    }
  }

  const order = versionOrders(reads, report);

  if (history.final !== undefined)
    for (const transaction of history.transactions) {
      if (transaction.status !== 'committed') continue;
      for (const [key, token] of Object.entries(transaction.appends))
        if (!(history.final[key] ?? []).includes(token))
          report({
            kind: 'lost-write',
            involved: [transaction.id, FINAL_ID],
            explanation: `${transaction.id} committed an append of ${token} to ${key}, missing from the final ${key} = ${show(history.final[key] ?? [])}`,
          });
    }

  for (const { reader, registers } of states)
    checkAtomicVisibility(reader, registers, writerOf, report);

  for (const subscription of history.subscriptions)
    checkMonotonic(subscription, report);

  // The graph: committed transactions, transactions whose outcome is unknown but whose writes were seen, and every read-only state.
  const nodes = new Set<string>();
  for (const transaction of history.transactions)
    if (
      transaction.status === 'committed' ||
      (transaction.status === 'unknown' && visible.has(transaction))
    )
      nodes.add(transaction.id);
  for (const { reader } of states) nodes.add(reader);

  const graph = new Graph();
  const link = (from: string, to: string, edge: Edge): void => {
    if (from !== to && nodes.has(from) && nodes.has(to))
      graph.add(from, to, edge);
  };
  for (const [key, tokens] of order)
    for (let i = 1; i < tokens.length; i += 1) {
      const before = writerOf(key, tokens[i - 1] ?? '');
      const after = writerOf(key, tokens[i] ?? '');
      if (before && after) link(before.id, after.id, { type: 'ww', key });
    }
  for (const { reader, key, list } of reads) {
    const last = list.at(-1);
    const writer = last === undefined ? undefined : writerOf(key, last);
    if (writer) link(writer.id, reader, { type: 'wr', key });
    const next = order.get(key)?.[list.length];
    const overwriter = next === undefined ? undefined : writerOf(key, next);
    if (overwriter) link(reader, overwriter.id, { type: 'rw', key });
  }
  const sequences = [
    ...history.sessions.map((session) => session.filter((id) => nodes.has(id))),
    ...history.subscriptions.map(({ id, values }) =>
      values.map((_, index) => snapshotId(id, index)),
    ),
  ];
  for (const sequence of sequences)
    for (let i = 1; i < sequence.length; i += 1)
      link(sequence[i - 1] ?? '', sequence[i] ?? '', { type: 'session' });

  for (const component of graph.stronglyConnectedComponents()) {
    if (component.length < 2) continue;
    report(classifyCycle(graph.shortCycle(component)));
  }

  const committed = history.transactions.filter(
    (t) => t.status === 'committed',
  ).length;
  return {
    anomalies,
    checked: {
      committed,
      failed: history.transactions.filter((t) => t.status === 'failed').length,
      queries: history.queries.length,
      snapshots: history.subscriptions.reduce(
        (sum, { values }) => sum + values.length,
        0,
      ),
      edges: graph.edgeCount,
    },
  };
}

/** Every anomaly as lines a failing assertion can print. */
export function describeAnomalies(anomalies: readonly Anomaly[]): string {
  return anomalies
    .map(
      ({ kind, involved, explanation }) =>
        `${kind} [${involved.join(', ')}]: ${explanation}`,
    )
    .join('\n');
}

function indexWriters(
  transactions: readonly Transaction[],
): Map<Key, Map<Token, Transaction>> {
  const writers = new Map<Key, Map<Token, Transaction>>();
  for (const transaction of transactions)
    for (const [key, token] of Object.entries(transaction.appends)) {
      const byToken = writers.get(key) ?? new Map<Token, Transaction>();
      writers.set(key, byToken);
      const other = byToken.get(token);
      // Tokens are the workload's to make unique; a clash is a broken history, not a server anomaly.
      if (other)
        throw new Error(
          `${other.id} and ${transaction.id} both append ${token} to ${key}`,
        );
      byToken.set(token, transaction);
    }
  return writers;
}

/** Every state read as one snapshot: committed transactions' reads, queries, subscription values, the final read. */
function readStates(
  history: History,
): { reader: string; registers: Registers }[] {
  return [
    ...history.transactions
      .filter(({ status }) => status === 'committed')
      .map(({ id, reads }) => ({ reader: id, registers: reads })),
    ...history.queries.map(({ id, registers }) => ({ reader: id, registers })),
    ...history.subscriptions.flatMap(({ id, values }) =>
      values.map((registers, index) => ({
        reader: snapshotId(id, index),
        registers,
      })),
    ),
    ...(history.final === undefined
      ? []
      : [{ reader: FINAL_ID, registers: history.final }]),
  ];
}

/**
 * Each key's order of writes: the longest list read of it, of which every
 * other read must be a prefix.
 */
function versionOrders(
  reads: readonly Read[],
  report: (anomaly: Anomaly) => void,
): Map<Key, readonly Token[]> {
  const longest = new Map<Key, Read>();
  for (const read of reads) {
    const current = longest.get(read.key);
    if (current === undefined || read.list.length > current.list.length)
      longest.set(read.key, read);
  }
  for (const read of reads) {
    const reference = longest.get(read.key);
    if (reference === undefined || isPrefix(read.list, reference.list))
      continue;
    report({
      kind: 'incompatible-order',
      involved: [read.reader, reference.reader],
      explanation: `${read.reader} read ${read.key} = ${show(read.list)} and ${reference.reader} read ${read.key} = ${show(reference.list)}: no one order of appends gives both`,
    });
  }
  return new Map([...longest].map(([key, { list }]) => [key, list] as const));
}

/** A state that sees one of a transaction's appends sees all of them on the keys it read. */
function checkAtomicVisibility(
  reader: string,
  registers: Registers,
  writerOf: (key: Key, token: Token) => Transaction | undefined,
  report: (anomaly: Anomaly) => void,
): void {
  const contents = new Map(
    Object.entries(registers).map(([key, list]) => [key, new Set(list)]),
  );
  const checked = new Set<Transaction>();
  for (const [key, list] of Object.entries(registers))
    for (const token of list) {
      const writer = writerOf(key, token);
      if (writer === undefined || checked.has(writer)) continue;
      checked.add(writer);
      for (const [otherKey, otherToken] of Object.entries(writer.appends)) {
        const other = contents.get(otherKey);
        if (other === undefined || other.has(otherToken)) continue;
        report({
          kind: 'fractured-read',
          involved: [reader, writer.id],
          explanation: `${reader} saw ${writer.id}'s append of ${token} to ${key} but not its append of ${otherToken} to ${otherKey} (${otherKey} = ${show(registers[otherKey] ?? [])})`,
        });
      }
    }
}

/** Each value a subscription delivers extends every key of the one before. */
function checkMonotonic(
  { id, values }: Subscription,
  report: (anomaly: Anomaly) => void,
): void {
  for (let i = 1; i < values.length; i += 1) {
    const before = values[i - 1] ?? {};
    const after = values[i] ?? {};
    for (const [key, list] of Object.entries(before)) {
      const later = after[key] ?? [];
      if (isPrefix(list, later)) continue;
      report({
        kind: 'non-monotonic-subscription',
        involved: [snapshotId(id, i - 1), snapshotId(id, i)],
        explanation: `${id} delivered ${key} = ${show(list)}, then ${key} = ${show(later)}`,
      });
      return;
    }
  }
}

interface Step {
  from: string;
  to: string;
  edge: Edge;
}

/**
 * Names a cycle by its edges: with no anti-dependency it is G0 (writes only)
 * or G1c; with one, G-single, a lost update when every edge is on one key,
 * a fractured read when it is a write seen on one key and missed on
 * another; with two or more, G2, write skew when it is two transactions
 * each missing the other's write.
 */
function classifyCycle(cycle: readonly Step[]): Anomaly {
  const involved = cycle.map(({ from }) => from);
  const explanation = cycle
    .map(
      ({ from, to, edge }) =>
        `${from} -${edge.type}${edge.key === undefined ? '' : `(${edge.key})`}-> ${to}`,
    )
    .join(', ');
  const types = cycle.map(({ edge }) => edge.type);
  const antiDependencies = types.filter((type) => type === 'rw').length;
  const keys = new Set(cycle.map(({ edge }) => edge.key));
  const kind = ((): AnomalyKind => {
    if (antiDependencies === 0)
      return types.every((type) => type === 'ww') ? 'G0' : 'G1c';
    if (antiDependencies === 1) {
      if (keys.size === 1 && types.every((t) => t === 'ww' || t === 'rw'))
        return 'lost-update';
      if (cycle.length === 2 && types.includes('wr') && keys.size === 2)
        return 'fractured-read';
      return 'G-single';
    }
    return cycle.length === 2 && keys.size === 2 ? 'write-skew' : 'G2';
  })();
  return { kind, involved, explanation: `cycle ${explanation}` };
}

/** Edge preference when two nodes are joined more than once: the labels that make the weakest claim of an anomaly last. */
const PREFERENCE: Readonly<Record<EdgeType, number>> = {
  ww: 0,
  wr: 1,
  session: 2,
  rw: 3,
};

/** A directed graph with labelled edges: components and short cycles. */
class Graph {
  readonly #out = new Map<string, Map<string, Edge>>();
  edgeCount = 0;

  add(from: string, to: string, edge: Edge): void {
    const targets = this.#out.get(from) ?? new Map<string, Edge>();
    this.#out.set(from, targets);
    const existing = targets.get(to);
    if (existing === undefined) this.edgeCount += 1;
    if (
      existing === undefined ||
      PREFERENCE[edge.type] < PREFERENCE[existing.type]
    )
      targets.set(to, edge);
  }

  #targets(node: string): Map<string, Edge> {
    return this.#out.get(node) ?? new Map<string, Edge>();
  }

  /** Tarjan's algorithm, iterative so that long chains do not exhaust the stack. */
  stronglyConnectedComponents(): string[][] {
    const nodes = new Set<string>();
    for (const [from, targets] of this.#out) {
      nodes.add(from);
      for (const to of targets.keys()) nodes.add(to);
    }
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const components: string[][] = [];
    let counter = 0;
    for (const root of nodes) {
      if (index.has(root)) continue;
      const work: { node: string; targets: Iterator<string> }[] = [];
      const visit = (node: string): void => {
        index.set(node, counter);
        low.set(node, counter);
        counter += 1;
        stack.push(node);
        onStack.add(node);
        work.push({ node, targets: this.#targets(node).keys() });
      };
      visit(root);
      while (work.length > 0) {
        const frame = work[work.length - 1];
        if (frame === undefined) break;
        const next = frame.targets.next();
        if (!next.done) {
          const target = next.value;
          if (!index.has(target)) visit(target);
          else if (onStack.has(target))
            low.set(
              frame.node,
              Math.min(low.get(frame.node) ?? 0, index.get(target) ?? 0),
            );
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent !== undefined)
          low.set(
            parent.node,
            Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0),
          );
        if (low.get(frame.node) === index.get(frame.node)) {
          const component: string[] = [];
          for (;;) {
            const member = stack.pop();
            if (member === undefined) break;
            onStack.delete(member);
            component.push(member);
            if (member === frame.node) break;
          }
          components.push(component);
        }
      }
    }
    return components;
  }

  /**
   * A shortest cycle through one of the component's first few nodes (a
   * breadth-first search from each), so that what is reported is small
   * enough to read.
   */
  shortCycle(component: readonly string[]): Step[] {
    const members = new Set(component);
    let best: Step[] | undefined;
    for (const start of component.slice(0, 32)) {
      const parent = new Map<string, string>([[start, start]]);
      const queue = [start];
      let closing: string | undefined;
      for (let head = 0; head < queue.length && closing === undefined;) {
        const node = queue[head] ?? start;
        head += 1;
        for (const target of this.#targets(node).keys()) {
          if (!members.has(target)) continue;
          if (target === start) {
            closing = node;
            break;
          }
          if (parent.has(target)) continue;
          parent.set(target, node);
          queue.push(target);
        }
      }
      if (closing === undefined) continue;
      const path = [start];
      for (let node = closing; node !== start; node = parent.get(node) ?? start)
        path.push(node);
      const ordered = [start, ...path.slice(1).reverse()];
      const steps = ordered.map((from, i) => {
        const to = ordered[(i + 1) % ordered.length] ?? start;
        const edge = this.#targets(from).get(to) ?? { type: 'session' };
        return { from, to, edge };
      });
      if (best === undefined || steps.length < best.length) best = steps;
      if (best.length === 2) break;
    }
    return best ?? [];
  }
}

function isPrefix(short: readonly Token[], long: readonly Token[]): boolean {
  return short.length <= long.length && short.every((t, i) => long[i] === t);
}

function ids(transaction: Transaction | undefined): string[] {
  return transaction === undefined ? [] : [transaction.id];
}

function show(list: readonly Token[]): string {
  return `[${list.join(' ')}]`;
}
