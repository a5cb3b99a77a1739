import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  accounts: defineTable({ name: v.string(), balance: v.number() }).index(
    'by_name',
    ['name'],
  ),
  /** How many transfers each client has committed. */
  clients: defineTable({ client: v.string(), count: v.number() }).index(
    'by_client',
    ['client'],
  ),
});
