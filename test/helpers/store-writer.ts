/**
 * A child process for durability tests: opens a store, then commits one
 * insert after another into `acks`, printing `ack <n>` only after each
 * commit has returned. The test kills it with SIGKILL at some moment and
 * checks that every acknowledged insert survived, exactly once.
 *
 * Usage: node --import tsx store-writer.ts <first n> sqlite <path> | postgres <url> <schema>
 */
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';

const [first, engine, location, schema] = process.argv.slice(2);
const store =
  engine === 'sqlite'
    ? await openSqliteStore(location ?? '')
    : await openPostgresStore(
        location ?? '',
        schema === undefined ? {} : { schema },
      );

for (let n = Number(first); ; n++) {
  const tx = await store.begin();
  await tx.insert('acks', { n });
  const result = await tx.commit();
  if (!result.success) throw new Error(`commit ${n} conflicted`);
  process.stdout.write(`ack ${n}\n`);
}
