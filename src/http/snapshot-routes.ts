/**
 * The routes of snapshot export and import, as `npx convex export` and
 * `npx convex import` call them (convex-cli-and-guarantees.md §1.8;
 * convex-backend `crates/local_backend/src/snapshot_export.rs`,
 * `snapshot_import.rs`), all for an admin key only:
 *
 *   POST /api/export/request/zip?includeStorage=bool   → {}
 *        (400 ExportInProgress while one runs)
 *   GET  /api/export/zip/<start ts>                   → the ZIP, as an attachment
 *   POST /api/import/start_upload                      → {uploadToken}
 *   POST /api/import/upload_part?uploadToken&partNumber  (octet-stream body)
 *                                                      → "<part token>"
 *   POST /api/import/finish_upload  {import: {format, mode, tableName?,
 *        componentPath?}, uploadToken, partTokens}     → {importId}
 *   POST /api/perform_import {importId}                → {}
 *
 * Between these the CLI follows the jobs through system queries
 * (runtime/system-snapshots.ts). The work is runtime/snapshot-jobs.ts's.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authority } from '../runtime/authenticate.ts';
import type { ImportFormat } from '../runtime/import-source.ts';
import type { ImportMode } from '../runtime/import-summary.ts';
import type { JobResult } from '../runtime/background-jobs.ts';
import type { SnapshotJobs } from '../runtime/snapshot-jobs.ts';
import { type Answer, answered } from './answer.ts';
import { jsonBody } from './json-body.ts';
import { requestCaller } from './request-caller.ts';
import {
  type SystemError,
  badDeployKey,
  badRequest,
  errorBody,
  systemError,
} from './system-error.ts';

export interface SnapshotRoutesOptions {
  authority: Authority;
  /** The export and import jobs; without them the routes do not exist. */
  snapshots?: SnapshotJobs;
}

/** Exports do not change once made: a browser may keep one for 30 days, as Convex lets it. */
const EXPORT_CACHE_SECONDS = 30 * 24 * 60 * 60;
const FORMATS: ReadonlySet<string> = new Set([
  'csv',
  'jsonLines',
  'jsonArray',
  'zip',
]);
const MODES: ReadonlySet<string> = new Set([
  'requireEmpty',
  'append',
  'replace',
  'replaceAll',
]);

export function registerSnapshotRoutes(
  app: FastifyInstance,
  options: SnapshotRoutesOptions,
): void {
  const { snapshots } = options;
  if (!snapshots) return;
  const admin = async (
    request: FastifyRequest,
  ): Promise<SystemError | null> => {
    const caller = await requestCaller(request, options.authority);
    if (!caller.success) return caller.error;
    return caller.caller.kind === 'admin' ? null : badDeployKey();
  };

  app.post(
    '/api/export/request/zip',
    answered(async (request) => {
      const refused = await admin(request);
      if (refused) return refused;
      const includeStorage = queryOf(request)['includeStorage'] === 'true';
      return reply(
        await snapshots.exports.requestExport(includeStorage),
        () => ({}),
      );
    }),
  );

  app.get('/api/export/zip/:ts', async (request, response) => {
    const refused = await admin(request);
    if (refused) return response.code(refused.status).send(errorBody(refused));
    const { ts } = request.params as { ts: string };
    const file = /^\d{1,20}$/.test(ts)
      ? await snapshots.exports.exportFile(BigInt(ts))
      : null;
    if (!file) {
      const missing = systemError(
        'NotFound',
        'ExportNotFound',
        `No snapshot export taken at ${ts} is kept.`,
      );
      return response.code(missing.status).send(errorBody(missing));
    }
    return response
      .code(200)
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename=${file.filename}`)
      .header('cache-control', `private, max-age=${EXPORT_CACHE_SECONDS}`)
      .send(await readFile(file.path));
  });

  app.post(
    '/api/import/start_upload',
    answered(async (request) => {
      const refused = await admin(request);
      if (refused) return refused;
      return {
        status: 200,
        body: { uploadToken: await snapshots.imports.startUpload() },
      };
    }),
  );

  app.post(
    '/api/import/upload_part',
    answered(async (request) => {
      const refused = await admin(request);
      if (refused) return refused;
      const query = queryOf(request);
      const token = query['uploadToken'];
      const partNumber = Number(query['partNumber']);
      if (typeof token !== 'string' || !Number.isInteger(partNumber))
        return badRequest(
          'BadQueryArgs',
          'Expected the query parameters uploadToken and partNumber.',
        );
      const body = Buffer.isBuffer(request.body)
        ? request.body
        : Buffer.alloc(0);
      return reply(
        await snapshots.imports.uploadPart(token, partNumber, body),
        // A JSON string: fastify would send a bare string as it is.
        (result) => JSON.stringify(result.partToken),
      );
    }),
  );

  app.post(
    '/api/import/finish_upload',
    answered(async (request) => {
      const refused = await admin(request);
      if (refused) return refused;
      const body = jsonBody(request.headers['content-type'], request.body);
      if (!body.success) return body.error;
      const { uploadToken, partTokens } = body.value;
      const importArgs = body.value['import'];
      if (
        typeof uploadToken !== 'string' ||
        !Array.isArray(partTokens) ||
        !partTokens.every((token) => typeof token === 'string') ||
        typeof importArgs !== 'object' ||
        importArgs === null ||
        Array.isArray(importArgs)
      )
        return badRequest(
          'BadJsonBody',
          'Expected `{import: {format, mode, tableName?}, uploadToken, partTokens}`.',
        );
      const { format, mode, tableName, componentPath } = importArgs;
      if (typeof format !== 'string' || !FORMATS.has(format))
        return badRequest(
          'BadJsonBody',
          `unknown variant \`${JSON.stringify(format ?? null)}\`, expected one of \`csv\`, \`jsonLines\`, \`jsonArray\`, \`zip\``,
        );
      if (mode !== undefined && (typeof mode !== 'string' || !MODES.has(mode)))
        return badRequest(
          'BadJsonBody',
          `unknown variant \`${JSON.stringify(mode)}\`, expected one of \`requireEmpty\`, \`append\`, \`replace\`, \`replaceAll\``,
        );
      if (typeof componentPath === 'string' && componentPath !== '')
        return badRequest(
          'InvalidComponentPath',
          'Converge has no components: import into the app itself.',
        );
      return reply(
        await snapshots.imports.finishUpload(uploadToken, partTokens, {
          format: format as ImportFormat,
          mode: (mode ?? 'requireEmpty') as ImportMode,
          tableName: typeof tableName === 'string' ? tableName : null,
        }),
        (result) => ({ importId: result.importId }),
      );
    }),
  );

  app.post(
    '/api/perform_import',
    answered(async (request) => {
      const refused = await admin(request);
      if (refused) return refused;
      const body = jsonBody(request.headers['content-type'], request.body);
      if (!body.success) return body.error;
      const { importId } = body.value;
      if (typeof importId !== 'string')
        return badRequest('BadJsonBody', 'missing field `importId`');
      return reply(await snapshots.imports.performImport(importId), () => ({}));
    }),
  );
}

function reply<T extends object>(
  result: JobResult<T>,
  body: (result: { success: true } & T) => unknown,
): Answer {
  if (!result.success)
    return result.code === 'ImportNotFound'
      ? systemError('NotFound', result.code, result.error)
      : badRequest(result.code, result.error);
  return { status: 200, body: body(result) };
}

function queryOf(request: FastifyRequest): Record<string, unknown> {
  const query: unknown = request.query;
  return typeof query === 'object' && query !== null
    ? (query as Record<string, unknown>)
    : {};
}
