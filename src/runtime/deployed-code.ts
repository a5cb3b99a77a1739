/**
 * Which pushed code is the deployment's: one document in the private system
 * table `_deployed_code`, naming every module of the last push that went
 * live by path and hash (the sources are in stored-modules.ts), and its
 * schema. `finish_push` replaces it in one commit, so a push is live for
 * every process of the deployment at once, or not at all.
 *
 * A server also serves a functions directory (`--functions`). The record
 * keeps the fingerprint of the directory that was being served when the
 * push went live, which decides what a restart serves (`startupCode`): the
 * push, unless the directory has changed since; a directory that is not
 * there never wins over a push.
 */
import type { Document, DocumentStore, Transaction } from '../store/store.ts';
import { type LoadResult, loadPushedModules } from './load-functions.ts';
import { readModules } from './stored-modules.ts';

export const DEPLOYED_CODE = '_deployed_code';

export type ModuleEnvironment = 'isolate' | 'node';

/** A module by path and content, as the CLI names one. */
export interface ModuleRef {
  path: string;
  environment: ModuleEnvironment;
  sha256: string;
}

export interface DeployedCode {
  modules: ModuleRef[];
  schema: ModuleRef | null;
  /** The CLI version that pushed it (`udfServerVersion`). */
  udfServerVersion: string;
  /** The frozen clock and seed its import-time code ran with: it runs with them again. */
  importNowMs: number;
  importSeed: number;
  /** The served directory's fingerprint when the push went live; null when there was none. */
  directoryFingerprint: string | null;
}

export async function readDeployedCode(
  store: DocumentStore,
): Promise<DeployedCode | null> {
  const tx = await store.begin();
  const document = await currentDocument(tx);
  return document === null ? null : deployedCodeOf(document);
}

/** Makes `code` the deployed code in `tx`, replacing what was. */
export async function writeDeployedCode(
  tx: Transaction,
  code: DeployedCode,
): Promise<void> {
  const fields = {
    modules: code.modules.map(refFields),
    schema: code.schema === null ? null : refFields(code.schema),
    udfServerVersion: code.udfServerVersion,
    importNowMs: code.importNowMs,
    importSeed: code.importSeed,
    directoryFingerprint: code.directoryFingerprint,
  };
  const existing = await currentDocument(tx);
  if (existing === null) await tx.insert(DEPLOYED_CODE, fields);
  else await tx.replace(existing._id, fields);
}

/**
 * Whether two records name the same code, evaluated the same way: the
 * directory fingerprint only decides what a restart serves, so it is left
 * out.
 */
export function sameDeployedCode(
  a: DeployedCode | null,
  b: DeployedCode | null,
): boolean {
  const code = (c: DeployedCode | null) =>
    c === null
      ? null
      : JSON.stringify([c.modules, c.schema, c.importNowMs, c.importSeed]);
  return code(a) === code(b);
}

/**
 * What a starting server serves: the pushed code, when there is some and
 * the functions directory is missing or unchanged since the push went live;
 * otherwise the directory.
 */
export function startupCode(
  deployed: DeployedCode | null,
  directoryFingerprint: string | null,
): 'pushed' | 'directory' {
  return deployed !== null &&
    (directoryFingerprint === null ||
      directoryFingerprint === deployed.directoryFingerprint)
    ? 'pushed'
    : 'directory';
}

/** Loads the deployed code from its stored modules, as it was evaluated when it went live. */
export async function loadDeployedCode(
  store: DocumentStore,
  code: DeployedCode,
  env: Readonly<Record<string, string>>,
): Promise<LoadResult> {
  const refs = [...code.modules, ...(code.schema ? [code.schema] : [])];
  const sources = await readModules(
    store,
    refs.map((r) => r.sha256),
  );
  if (sources === null)
    return {
      success: false,
      error: 'Some modules of the deployed code are missing from the store.',
    };
  const module = (ref: ModuleRef) => ({
    path: ref.path,
    source: sources.get(ref.sha256)?.source ?? '',
    sourceMap: sources.get(ref.sha256)?.sourceMap,
  });
  return loadPushedModules(
    code.modules.map(module),
    code.schema ? module(code.schema) : null,
    { env, nowMs: code.importNowMs, seed: code.importSeed },
  );
}

async function currentDocument(tx: Transaction): Promise<Document | null> {
  if (tx.tableNumber(DEPLOYED_CODE) === null) return null;
  const { documents } = await tx.scan({
    table: DEPLOYED_CODE,
    index: 'by_creation_time',
    eq: [],
    order: 'asc',
    limit: 1,
  });
  return documents[0] ?? null;
}

function refFields(ref: ModuleRef): Record<string, string> {
  return { path: ref.path, environment: ref.environment, sha256: ref.sha256 };
}

function refOf(value: unknown): ModuleRef {
  const { path, environment, sha256 } = value as Record<string, string>;
  return {
    path: path as string,
    environment: environment === 'node' ? 'node' : 'isolate',
    sha256: sha256 as string,
  };
}

function deployedCodeOf(document: Document): DeployedCode {
  const schema = document['schema'];
  const fingerprint = document['directoryFingerprint'];
  return {
    modules: (document['modules'] as unknown[]).map(refOf),
    schema: schema === null || schema === undefined ? null : refOf(schema),
    udfServerVersion: document['udfServerVersion'] as string,
    importNowMs: document['importNowMs'] as number,
    importSeed: document['importSeed'] as number,
    directoryFingerprint: typeof fingerprint === 'string' ? fingerprint : null,
  };
}
