import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** Probes and scrapes, logged at debug so that `info` shows what people and programs asked for. */
const QUIET = /^\/(health\/|metrics$)/;

/** The route template (`/tasks/executions/:id`), so ids do not fill the log; the path for a 404. */
export const routeOf = (req: FastifyRequest): string =>
  req.routeOptions.url ?? req.url.split('?')[0] ?? req.url;

/**
 * One line per request, when it is answered: `GET /tasks/executions/:id 200 3.1ms` with the
 * method, route, status and duration as fields too; Fastify's own two lines (incoming,
 * completed) and its separate 'route not found' line are not written.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    const route = routeOf(req);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const fields = { method: req.method, route, status: reply.statusCode, ms };
    const msg = `${req.method} ${route} ${reply.statusCode} ${ms}ms`;
    if (error) reply.log.error({ ...fields, err: error }, msg);
    else if (QUIET.test(route)) reply.log.debug(fields, msg);
    else reply.log.info(fields, msg);
  }
}
