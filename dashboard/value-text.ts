/**
 * How a Convex value reads in a table cell and in the editor: strings as
 * themselves, everything else as its Convex JSON (`convexToJson`), so an
 * int64 shows as `{"$integer":…}` and bytes as `{"$bytes":…}`, the forms the
 * editor accepts back. Cells are cut at a length that keeps rows one line.
 */
import {
  type JSONValue,
  type Value,
  convexToJson,
  jsonToConvex,
} from 'convex/values';

/** Characters a cell shows before it is cut with an ellipsis. */
const CELL_CHARACTERS = 80;

export function cellText(value: Value | undefined): string {
  if (value === undefined) return '';
  const text =
    typeof value === 'string' ? value : JSON.stringify(convexToJson(value));
  return text.length > CELL_CHARACTERS
    ? `${text.slice(0, CELL_CHARACTERS - 1)}…`
    : text;
}

/** A document's own fields as the editor shows them: indented Convex JSON. */
export function editableText(fields: Record<string, Value>): string {
  return valueText(fields);
}

/** Any value as indented Convex JSON: a function's result, say. */
export function valueText(value: Value): string {
  return JSON.stringify(convexToJson(value), null, 2);
}

export type Parsed =
  { ok: true; fields: Record<string, Value> } | { ok: false; message: string };

/** The editor's text back as fields, or why it is not a document. */
export function parseFields(text: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not JSON: ${(error as Error).message}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, message: 'A document is a JSON object.' };
  try {
    return {
      ok: true,
      fields: jsonToConvex(json as Record<string, never>) as Record<
        string,
        Value
      >,
    };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** A value typed as Convex JSON (`"ada"`, `3`, `{"$integer":…}`), checked but kept as JSON. */
export function parseValue(
  text: string,
): { ok: true; json: JSONValue } | { ok: false; message: string } {
  try {
    const json = JSON.parse(text.trim() === '' ? 'null' : text) as JSONValue;
    jsonToConvex(json);
    return { ok: true, json };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}
