/**
 * How the engines store a document: the Convex JSON of `convex/values`
 * (`convexToJson`), as text. Lossless for every Convex value (int64, bytes,
 * special floats) and readable with any SQL tool.
 */
import { type JSONValue, convexToJson, jsonToConvex } from 'convex/values';
import type { Document } from './store.ts';

export function documentToText(document: Document): string {
  return JSON.stringify(convexToJson(document));
}

export function documentFromText(text: string): Document {
  return jsonToConvex(JSON.parse(text) as JSONValue) as Document;
}
