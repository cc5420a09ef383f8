/**
 * Rate limiting a Fastify 5 app with an `onRequest` hook: every response carries the RateLimit
 * fields, and a refused request gets 429 with Retry-After before any route runs. Run it with
 * `npx tsx examples/http/fastify.ts`.
 */
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import { type ApiLimiter, createApiLimiter, decide, requestKey } from "./api-limit.js";

declare module "fastify" {
  interface FastifyRequest {
    rateLimitKey?: string;
  }
}

export function createApp(limiter: ApiLimiter = createApiLimiter()): FastifyInstance {
  const app = Fastify();
  app.addHook("onRequest", async (request, reply) => {
    // `request.ip` is the socket's address unless `trustProxy` is set: set it behind a proxy.
    const key = requestKey(request.headers["x-organisation"], request.ip);
    const { allowed, headers } = await decide(limiter, key);
    reply.headers(headers);
    // Replying from a hook ends the request here; the route never runs.
    if (!allowed) return reply.code(429).send({ error: "too many requests", key });
    request.rateLimitKey = key;
  });
  app.get("/", async (request) => ({ hello: request.rateLimitKey }));
  return app;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env["PORT"] ?? 3000);
  const app = createApp();
  await app.listen({ port, host: "127.0.0.1" });
  console.log(`listening on http://127.0.0.1:${port}`);
}
