/**
 * Answer: what an API route decides, 200 with a JSON body or a system
 * error, kept apart from fastify's reply so that routes return values; and
 * `answered`, which turns a route that decides into a fastify handler that
 * sends the decision.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type SystemError, errorBody } from './system-error.ts';

export type Answer = { status: 200; body: unknown } | SystemError;

export function answered(
  route: (request: FastifyRequest) => Promise<Answer>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (request, reply) => {
    const answer = await route(request);
    const body = 'code' in answer ? errorBody(answer) : answer.body;
    return reply.code(answer.status).type('application/json').send(body);
  };
}
