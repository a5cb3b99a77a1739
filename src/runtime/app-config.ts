/**
 * What an app needs besides its functions to go live: the identity
 * providers of its `auth.config.ts` and the jobs of its `crons.ts`, each
 * checked against the app itself (a cron must name one of its mutations or
 * actions). Every way code goes live (a start, a `converge dev` reload, a
 * push) checks these before anything changes.
 */
import { type AuthProvider, parseAuthConfig } from './auth-config.ts';
import { type CronJob, cronJobsFrom } from './cron-schedule.ts';
import type { LoadedFunctions } from './load-functions.ts';
import { canonicalUdfPath, parseUdfPath } from './udf-path.ts';

export interface AppConfig {
  providers: AuthProvider[];
  crons: CronJob[];
}

export type AppConfigResult =
  { success: true; config: AppConfig } | { success: false; error: string };

export function appConfigOf(loaded: LoadedFunctions): AppConfigResult {
  const auth = parseAuthConfig(loaded.authConfig);
  if (!auth.success) return auth;
  const crons = cronJobsFrom(loaded.crons, (path) => {
    const parsed = parseUdfPath(path);
    if (!parsed.success) return null;
    const canonical = canonicalUdfPath(parsed.path);
    const kind = loaded.functions.get(canonical)?.kind;
    return kind === 'mutation' || kind === 'action' ? canonical : null;
  });
  if (!crons.success) return crons;
  return {
    success: true,
    config: { providers: auth.providers, crons: crons.jobs },
  };
}
