/**
 * A hand-made stand-in for the `_generated/server` that `convex codegen`
 * writes: the untyped builders under their usual names. convex-test also
 * finds the functions directory by the `_generated` folder in its modules.
 */
export {
  internalMutationGeneric as internalMutation,
  internalQueryGeneric as internalQuery,
  mutationGeneric as mutation,
  queryGeneric as query,
} from 'convex/server';
