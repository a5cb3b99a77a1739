import { actionGeneric, mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

export const storeText = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) =>
    await ctx.storage.store(new Blob([text], { type: 'text/plain' })),
});

export const readText = mutationGeneric({
  args: { id: v.id('_storage') },
  handler: async (ctx, { id }) => {
    const blob = await ctx.storage.get(id);
    return blob && { text: await blob.text(), type: blob.type };
  },
});

export const describe = queryGeneric({
  args: { id: v.id('_storage') },
  handler: async (ctx, { id }) => ({
    url: await ctx.storage.getUrl(id),
    metadata: await ctx.storage.getMetadata(id),
    document: await ctx.db.system.get(id),
    count: (await ctx.db.system.query('_storage').collect()).length,
  }),
});

export const remove = mutationGeneric({
  args: { id: v.id('_storage') },
  handler: async (ctx, { id }) => {
    await ctx.storage.delete(id);
  },
});

export const uploadUrl = mutationGeneric(
  async (ctx) => await ctx.storage.generateUploadUrl(),
);

export const roundTrip = actionGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const id = await ctx.storage.store(new Blob([text], { type: 'text/csv' }));
    const blob = await ctx.storage.get(id);
    const url = await ctx.storage.getUrl(id);
    await ctx.storage.delete(id);
    return {
      id,
      text: await blob?.text(),
      type: blob?.type,
      url,
      afterDelete: await ctx.storage.get(id),
    };
  },
});

export const storeThenFail = mutationGeneric(async (ctx) => {
  await ctx.storage.store(new Blob(['lost']));
  throw new Error('the storing mutation fails');
});
