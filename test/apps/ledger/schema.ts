import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  /** One row per applied `entries:append`: a duplicate row is a doubled mutation. */
  entries: defineTable({ writer: v.string(), seq: v.number() }).index(
    'by_writer',
    ['writer', 'seq'],
  ),
});
