import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import { changeEnvironment } from './environment-variables.ts';

const ADMIN = { admin: true };

describe('the environment variable system queries', () => {
  test('the list is every variable by name; get is one of them, or null', async () => {
    await using rt = await startBasicRuntime();
    await changeEnvironment(rt.store, [
      { name: 'REGION', value: 'eu' },
      { name: 'API_KEY', value: 'secret' },
    ]);
    expect(
      await rt.runner.runQuery(
        '_system/cli/queryEnvironmentVariables',
        {},
        ADMIN,
      ),
    ).toMatchObject({
      success: true,
      value: [
        { name: 'API_KEY', value: 'secret' },
        { name: 'REGION', value: 'eu' },
      ],
    });
    const get = (name: string) =>
      rt.runner.runQuery(
        '_system/cli/queryEnvironmentVariables:get',
        { name },
        ADMIN,
      );
    expect(await get('REGION')).toMatchObject({
      success: true,
      value: { name: 'REGION', value: 'eu' },
    });
    expect(await get('MISSING')).toMatchObject({ success: true, value: null });
  });
});
