/**
 * IntervalIndex: a changing set of half-open byte intervals `[start, end)`,
 * each tagged with values, that answers "which values have an interval
 * containing key k?" without looking at the intervals that do not.
 *
 * The subscription hub keeps one per index: the intervals are what the
 * subscribed queries read, the values are the queries, and a commit stabs
 * it with each key it wrote. The sizes it is built for: up to about 100,000
 * intervals, as many adds and removes as commits (a rerun query swaps its
 * intervals), and a handful of keys per commit. Intervals come in every
 * width: one key's prefix for `.unique()` on an index, a page of a
 * paginated query, a whole table (empty start, no end).
 *
 * The structure: a treap (a binary search tree balanced by random
 * priorities) ordered by start then end, each node one distinct interval
 * with the set of its values, and each node knowing the highest end in its
 * subtree. Adds and removes are O(log n) expected with no bulk copying (a
 * sorted array would move half of 100,000 slots on every add). A stab
 * walks down from the root and leaves out every subtree whose highest end
 * is at or below the key, and every right subtree whose root starts above
 * it: O(log n) per matching interval, and O(log n) when none matches.
 * Identical intervals share one node, so many subscribers of one query, or
 * many queries over one range, cost the stab one node.
 *
 * A value is held by an interval at most once: adding it again does
 * nothing, and one remove takes it out. Keys compare byte by byte
 * (`compareKeys`), as the index key encoding orders them.
 *
 * Not here: which index an interval belongs to, nor what a value is.
 */
import type { KeyInterval } from '../store/key-range.ts';
import { compareKeys } from '../store/compare-keys.ts';

interface Node<V> {
  start: Buffer;
  /** Exclusive; null: no upper end. */
  end: Buffer | null;
  values: Set<V>;
  /** Random: a node sits above every node of lower priority. */
  priority: number;
  left: Node<V> | null;
  right: Node<V> | null;
  /** The highest end in this subtree; null when one of them has no upper end. */
  reach: Buffer | null;
}

export class IntervalIndex<V> {
  #root: Node<V> | null = null;
  #size = 0;

  /** How many distinct intervals are held. */
  get size(): number {
    return this.#size;
  }

  add(interval: KeyInterval, value: V): void {
    const held = this.#find(interval);
    if (held) {
      held.values.add(value);
      return;
    }
    const node: Node<V> = {
      start: interval.start,
      end: interval.end,
      values: new Set([value]),
      priority: Math.random(),
      left: null,
      right: null,
      reach: interval.end,
    };
    this.#root = insert(this.#root, node);
    this.#size += 1;
  }

  /** Takes `value` off `interval`; an interval left with no value is dropped. */
  remove(interval: KeyInterval, value: V): void {
    const held = this.#find(interval);
    if (!held?.values.delete(value) || held.values.size > 0) return;
    this.#root = drop(this.#root, held);
    this.#size -= 1;
  }

  /** Calls `visit` with every value of every interval that contains `key`. */
  stab(key: Uint8Array, visit: (value: V) => void): void {
    stab(this.#root, key, visit);
  }

  #find(interval: KeyInterval): Node<V> | null {
    let node = this.#root;
    while (node) {
      const order = compareIntervals(interval, node);
      if (order === 0) return node;
      node = order < 0 ? node.left : node.right;
    }
    return null;
  }
}

/** Orders by start, then by end, with no upper end last. */
function compareIntervals(a: KeyInterval, b: KeyInterval): number {
  return compareKeys(a.start, b.start) || compareEnds(a.end, b.end);
}

function compareEnds(a: Buffer | null, b: Buffer | null): number {
  if (a === null) return b === null ? 0 : 1;
  return b === null ? -1 : compareKeys(a, b);
}

/** Whether an interval ending at `end` (exclusive) reaches past `key`. */
function endsAfter(end: Buffer | null, key: Uint8Array): boolean {
  return end === null || compareKeys(key, end) < 0;
}

function updateReach<V>(node: Node<V>): void {
  let reach = node.end;
  const { left, right } = node;
  if (left && compareEnds(left.reach, reach) > 0) reach = left.reach;
  if (right && compareEnds(right.reach, reach) > 0) reach = right.reach;
  node.reach = reach;
}

/** `node` is not in the tree yet; no node there has its interval. */
function insert<V>(root: Node<V> | null, node: Node<V>): Node<V> {
  if (root === null) return node;
  if (node.priority > root.priority) {
    [node.left, node.right] = split(root, node);
    updateReach(node);
    return node;
  }
  if (compareIntervals(node, root) < 0) root.left = insert(root.left, node);
  else root.right = insert(root.right, node);
  updateReach(root);
  return root;
}

/** The tree under `root` cut into the intervals below `at` and those above it. */
function split<V>(
  root: Node<V> | null,
  at: KeyInterval,
): [Node<V> | null, Node<V> | null] {
  if (root === null) return [null, null];
  if (compareIntervals(root, at) < 0) {
    const [below, above] = split(root.right, at);
    root.right = below;
    updateReach(root);
    return [root, above];
  }
  const [below, above] = split(root.left, at);
  root.left = above;
  updateReach(root);
  return [below, root];
}

/** One tree of two, every interval of `low` below every interval of `high`. */
function merge<V>(low: Node<V> | null, high: Node<V> | null): Node<V> | null {
  if (low === null) return high;
  if (high === null) return low;
  if (low.priority > high.priority) {
    low.right = merge(low.right, high);
    updateReach(low);
    return low;
  }
  high.left = merge(low, high.left);
  updateReach(high);
  return high;
}

/** The tree under `root` without `node`, which is in it. */
function drop<V>(root: Node<V> | null, node: Node<V>): Node<V> | null {
  if (root === null) return null;
  if (root === node) return merge(root.left, root.right);
  if (compareIntervals(node, root) < 0) root.left = drop(root.left, node);
  else root.right = drop(root.right, node);
  updateReach(root);
  return root;
}

function stab<V>(
  root: Node<V> | null,
  key: Uint8Array,
  visit: (value: V) => void,
): void {
  let node = root;
  while (node && endsAfter(node.reach, key)) {
    stab(node.left, key, visit);
    // This node and its whole right subtree start above the key.
    if (compareKeys(node.start, key) > 0) return;
    if (endsAfter(node.end, key)) for (const value of node.values) visit(value);
    node = node.right;
  }
}
