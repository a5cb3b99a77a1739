import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import type { CommitEntry } from '../store/store.ts';
import { changeEnvironment } from './environment-variables.ts';

const ADMIN = { admin: true };
const PAGE = { paginationOpts: { numItems: 10, cursor: null } };

describe('system functions', () => {
  test('only an admin acting as itself runs them; anyone else is refused before any lookup', async () => {
    await using rt = await startBasicRuntime();
    const refused = {
      success: false,
      errorMessage: 'Operation query not permitted',
    };
    // Nobody, a user, a client, an admin acting as a user: refused, whether
    // or not the function exists.
    for (const options of [
      {},
      {
        identity: {
          subject: 'ada',
          issuer: 'https://id',
          tokenIdentifier: 'x',
        },
      },
      { fromClient: true },
      { admin: true, identity: { subject: 'ada' } },
    ]) {
      expect(
        await rt.runner.runQuery('_system/cli/tables', PAGE, options),
      ).toMatchObject(refused);
      expect(
        await rt.runner.runQuery('_system/cli/nothing:here', {}, options),
      ).toMatchObject(refused);
    }
    expect(
      await rt.runner.runMutation('_system/cli/tables', PAGE),
    ).toMatchObject({
      success: false,
      errorMessage: 'Operation mutation not permitted',
    });

    // The admin itself runs it, in any spelling, and misses what is not there.
    for (const path of ['_system/cli/tables', '_system/cli/tables.js:default'])
      expect(await rt.runner.runQuery(path, PAGE, ADMIN)).toMatchObject({
        success: true,
        logLines: [],
      });
    expect(
      await rt.runner.runQuery('_system/cli/nothing:here', {}, ADMIN),
    ).toMatchObject({
      success: false,
      errorMessage: expect.stringContaining(
        "Could not find function for '_system/cli/nothing:here'",
      ) as string,
    });
  });

  test('their arguments are validated as a function’s are', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runQuery(
        '_system/cli/tableData',
        { order: 'asc', ...PAGE },
        ADMIN,
      ),
    ).toMatchObject({
      success: false,
      errorMessage: expect.stringMatching(
        /^ArgumentValidationError: Object is missing the required field `table`/,
      ) as string,
    });
  });

  test('what one reads is its read set: the commit that changes it overlaps it', async () => {
    await using rt = await startBasicRuntime();
    const commits: CommitEntry[] = [];
    rt.store.onCommit((entry) => commits.push(entry));

    // Before any variable exists, the list reads the table's absence...
    const before = await rt.runner.runQuery(
      '_system/cli/queryEnvironmentVariables',
      {},
      ADMIN,
    );
    expect(before).toMatchObject({ success: true, value: [] });
    await changeEnvironment(rt.store, [{ name: 'REGION', value: 'eu' }]);
    // ...so the commit creating it invalidates the list.
    expect(before.readSet.overlaps(commits.at(-1)?.writes ?? [])).not.toBe(
      null,
    );

    const after = await rt.runner.runQuery(
      '_system/cli/queryEnvironmentVariables',
      {},
      ADMIN,
    );
    expect(after).toMatchObject({
      success: true,
      value: [{ name: 'REGION', value: 'eu' }],
    });
    await changeEnvironment(rt.store, [{ name: 'REGION', value: 'us' }]);
    expect(after.readSet.overlaps(commits.at(-1)?.writes ?? [])).not.toBe(null);
  });

  test('a system query is not a run of user code: execution listeners hear nothing', async () => {
    await using rt = await startBasicRuntime();
    const heard: string[] = [];
    rt.runner.onExecution((record) => heard.push(record.path));
    await rt.runner.runQuery('_system/cli/tables', PAGE, ADMIN);
    await rt.runner.runQuery('messages:list', { channel: 'general' });
    expect(heard).toEqual(['messages:list']);
  });
});
