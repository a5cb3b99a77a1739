/**
 * IdLedger: one backend's document ids and creation times, in the order of
 * the inserts that made them. Two backends give their documents different
 * ids and `_creationTime`s by design; what Convex promises is the relation
 * between them, so results are compared through the ledger: an id becomes
 * `#k`, the index of the insert that created it, and a document's
 * `_creationTime` becomes `created#k`. That is faithful only while creation
 * times increase with the inserts, which `record` checks.
 */
import { type JSONValue, type Value, convexToJson } from 'convex/values';

export class IdLedger {
  readonly #ids: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #byTable = new Map<string, string[]>();
  #lastCreationTime = Number.NEGATIVE_INFINITY;

  /** One of the ids inserted into `table`, `target` modulo their number; null before any. */
  pick(table: string, target: number): string | null {
    const ids = this.#byTable.get(table) ?? [];
    return ids[target % ids.length] ?? null;
  }

  /** Records a document newly inserted into `table`, as its insert returned it. */
  record(table: string, document: Value): void {
    const { _id: id, _creationTime: created } = document as {
      _id?: unknown;
      _creationTime?: unknown;
    };
    if (typeof id !== 'string' || typeof created !== 'number')
      throw new Error(
        `not a document: ${JSON.stringify(convexToJson(document))}`,
      );
    if (!(created > this.#lastCreationTime)) {
      throw new Error(
        `insert #${this.#ids.length} (${id}) has _creationTime ${created}, not after the previous insert's ${this.#lastCreationTime}`,
      );
    }
    this.#lastCreationTime = created;
    this.#index.set(id, this.#ids.length);
    this.#ids.push(id);
    const ids = this.#byTable.get(table) ?? [];
    ids.push(id);
    this.#byTable.set(table, ids);
  }

  /** The value as JSON, with ids and creation times replaced by insert indexes. */
  normalise(value: Value): JSONValue {
    return this.#replace(convexToJson(value));
  }

  #replace(json: JSONValue): JSONValue {
    if (typeof json === 'string') {
      const k = this.#index.get(json);
      return k === undefined ? json : `#${k}`;
    }
    if (Array.isArray(json)) return json.map((item) => this.#replace(item));
    if (json === null || typeof json !== 'object') return json;
    const entries = Object.entries(json).map(([key, item]) => [
      key,
      this.#replace(item),
    ]);
    const out = Object.fromEntries(entries) as Record<string, JSONValue>;
    const id = json['_id'];
    const k = typeof id === 'string' ? this.#index.get(id) : undefined;
    if (k !== undefined && typeof json['_creationTime'] === 'number')
      out['_creationTime'] = `created#${k}`;
    return out;
  }
}
