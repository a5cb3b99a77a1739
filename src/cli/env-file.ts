/**
 * The functions' environment from a dotenv file (`--env-file`): the
 * variables `process.env` shows to queries, mutations and actions, parsed
 * by Node's own `util.parseEnv`. The server's own environment is never
 * passed through; a deployment sees only what the file names.
 */
import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';

export type EnvFileResult =
  | { success: true; env: Record<string, string> }
  | { success: false; error: string };

export async function readEnvFile(path: string): Promise<EnvFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      success: false,
      error: `cannot read the environment file ${path}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text)))
    if (value !== undefined) env[name] = value;
  return { success: true, env };
}
