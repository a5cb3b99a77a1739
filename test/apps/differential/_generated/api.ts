/** A hand-made stand-in for `convex codegen`'s `_generated/api`: untyped references. */
import { anyApi } from 'convex/server';

export const api = anyApi;
export const internal = anyApi;
