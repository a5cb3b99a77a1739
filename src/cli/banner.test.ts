import { expect, test } from 'vitest';
import { banner } from './banner.ts';

const facts = {
  version: '0.1.0',
  functions: './functions',
  url: 'http://127.0.0.1:3210',
  siteUrl: 'http://127.0.0.1:3211',
  store: 'SQLite .converge/converge.sqlite',
  transport: 'native',
  adminKey: {
    key: 'converge|0123',
    created: true,
    keptIn: '.converge/admin_key',
  },
  watching: false,
};

test('the first start shows the admin key it made, once, and where it is kept', () => {
  expect(banner(facts)).toBe(
    [
      'Converge 0.1.0 serving ./functions at http://127.0.0.1:3210',
      '',
      '  deployment URL   http://127.0.0.1:3210',
      '  HTTP actions     http://127.0.0.1:3211',
      '  dashboard        http://127.0.0.1:3210/dashboard',
      '  store            SQLite .converge/converge.sqlite',
      '  transport        uWebSockets.js native',
      '  admin key        converge|0123',
      '                   (shown once; kept in .converge/admin_key)',
      '',
      '',
    ].join('\n'),
  );
});

test('a later start does not show the key; converge dev says it watches', () => {
  const text = banner({
    ...facts,
    adminKey: { ...facts.adminKey, created: false },
    watching: true,
  });
  expect(text).not.toContain('converge|0123');
  expect(text).toContain(
    '  watching         ./functions: reloads on every change\n',
  );
});
