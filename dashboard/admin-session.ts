/**
 * The dashboard's way in: an admin key checked with the deployment
 * (`GET /api/check_admin_key`, as Convex's self-hosted dashboard checks it),
 * kept for the tab's life in sessionStorage (gone when the tab closes, never
 * in localStorage), and an official `ConvexClient` of the deployment that
 * serves this page, authenticated as the admin, through which every view
 * subscribes to the system queries and calls the system mutations.
 *
 * Not here: what the views ask (system-api.ts).
 */
import { ConvexClient } from 'convex/browser';

export type KeyCheck = { ok: true } | { ok: false; message: string };

/** `BaseConvexClient.setAdminAuth`: public in convex-js, though left out of its type declarations. */
interface AdminAuthenticating {
  setAdminAuth(key: string, actingAs?: Record<string, unknown>): void;
}

const STORAGE_KEY = 'converge.adminKey';

export async function checkAdminKey(
  origin: string,
  key: string,
): Promise<KeyCheck> {
  if (key.trim() === '')
    return { ok: false, message: 'Paste the deployment’s admin key.' };
  let response: Response;
  try {
    response = await fetch(`${origin}/api/check_admin_key`, {
      headers: { Authorization: `Convex ${key.trim()}` },
    });
  } catch (error) {
    return {
      ok: false,
      message: `The deployment did not answer: ${String(error)}`,
    };
  }
  if (response.ok) return { ok: true };
  if (response.status === 401 || response.status === 403)
    return {
      ok: false,
      message: 'That admin key is not valid for this deployment.',
    };
  return {
    ok: false,
    message: `The deployment answered ${response.status} ${response.statusText}.`,
  };
}

export function rememberedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function rememberKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key.trim());
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** A client of the deployment at `origin` acting as its admin. */
export function adminClient(origin: string, key: string): ConvexClient {
  const client = new ConvexClient(origin);
  (client.client as unknown as AdminAuthenticating).setAdminAuth(key.trim());
  return client;
}
