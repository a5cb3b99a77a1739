/**
 * errorText: what a failed call says, for a person: a ConvexError's string
 * data as it is, otherwise the server's message without what the client
 * wraps it in (`[CONVEX M(path)] [Request ID: …] Server Error` before it,
 * `Called by client` after it).
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const data = (error as Error & { data?: unknown }).data;
  if (typeof data === 'string') return data;
  return error.message
    .replace(/^\[CONVEX [^\]]*\] /, '')
    .replace(/^\[Request ID: [^\]]*\] /, '')
    .replace(/^Server Error\n/, '')
    .replace(/\n\s*Called by client\s*$/, '')
    .trim();
}
