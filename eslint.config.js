// Lint keeps only the rules that catch real bugs, plus the layering of src/
// (see src/README.md): a folder imports only from the folders to its left in
// lib ← generated ← protocol ← store ← runtime ← sync ← ws, http ← cli.
// Import cycles are checked by madge (npm run lint:cycles), which ESLint's own rules cannot see.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = [
  'lib',
  'protocol',
  'store',
  'runtime',
  'sync',
  'ws',
  'http',
  'cli',
];

/** The folders each layer may not import from: everything above it. */
const forbiddenAbove = {
  lib: ['protocol', 'store', 'runtime', 'sync', 'ws', 'http', 'cli'],
  protocol: ['store', 'runtime', 'sync', 'ws', 'http', 'cli'],
  store: ['runtime', 'sync', 'ws', 'http', 'cli'],
  runtime: ['sync', 'ws', 'http', 'cli'],
  sync: ['ws', 'http', 'cli'],
  ws: ['http', 'cli'],
  http: ['ws', 'cli'],
  cli: [],
};

/** Only these layers may read the generated wire code directly. */
const mayImportGenerated = new Set(['protocol', 'http', 'cli']);

function layerRule(layer) {
  const patterns = forbiddenAbove[layer].map((above) => ({
    group: [`../${above}/*`],
    message: `src/${layer} may not import src/${above}: imports point down the data flow (src/README.md).`,
  }));
  if (!mayImportGenerated.has(layer)) {
    patterns.push({
      group: ['**/generated/*'],
      message: `src/${layer} sees wire types only through src/protocol.`,
    });
  }
  patterns.push({
    group: ['**/*.test.ts', '**/*.test.js'],
    message: 'Do not import from test files.',
  });
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'generated/',
      '.converge/',
      'functions/_generated/',
      // Files that only module discovery looks at, some deliberately not modules.
      'test/apps/discovery/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise returned un-awaited from a try runs its finally (closing
      // what the promise still needs) before it settles.
      '@typescript-eslint/return-await': [
        'error',
        'error-handling-correctness-only',
      ],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Methods that implement an async interface may have nothing to await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'Use a string-literal union or an `as const` object.',
        },
        {
          selector: 'ExportAllDeclaration',
          message: 'No barrels: import from the module that defines the thing.',
        },
      ],
    },
  },
  ...layers.map(layerRule),
  {
    // The dashboard is a browser program: it reaches the server only over the
    // wire, as any client does, never by importing it.
    files: ['dashboard/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../src/*', '../generated/*', 'node:*'],
              message:
                'dashboard/ runs in the browser: it talks to the server over the wire only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Apps written as Convex users write them, without generated types: the ctx is untyped.
    files: ['test/apps/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
