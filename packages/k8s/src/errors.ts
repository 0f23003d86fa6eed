import { ApiException } from '@kubernetes/client-node';

// Reading errors from client-node 1.x. Typed API calls throw ApiException (`code` = HTTP status,
// `body` = the response text, usually a JSON Status); the watch behind informers rejects with a
// plain Error carrying `statusCode`; a 410 inside a watch stream arrives as a Status with `code`.

export interface KubeErrorInfo {
  code?: number;
  /** Status.reason, e.g. AlreadyExists, NotFound, Expired, Forbidden. */
  reason?: string;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** The HTTP status of a failed Kubernetes call, if it has one. */
export function apiErrorCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (isRecord(error)) {
    if (typeof error.statusCode === 'number') return error.statusCode;
    if (typeof error.code === 'number') return error.code;
  }
  return undefined;
}

function parseStatusBody(body: unknown): { reason?: string; message?: string } {
  const status = typeof body === 'string' ? safeJson(body) : body;
  if (!isRecord(status)) return {};
  return {
    reason: typeof status.reason === 'string' ? status.reason : undefined,
    message: typeof status.message === 'string' ? status.message : undefined,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Code, Status reason and the API server's own message (not client-node's generic one). */
export function kubeErrorInfo(error: unknown): KubeErrorInfo {
  const code = apiErrorCode(error);
  const body = error instanceof ApiException ? parseStatusBody(error.body) : parseStatusBody(error);
  const fallback = error instanceof Error ? error.message : String(error);
  return { code, reason: body.reason, message: body.message ?? fallback };
}

const TRANSIENT_CODES = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NETWORK =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|socket hang up|Premature close|network/i;

/** Worth retrying with backoff: throttling, server errors, connection problems. */
export function isTransientKubeError(error: unknown): boolean {
  const code = apiErrorCode(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  if (code !== undefined && code >= 400) return false;
  const text =
    error instanceof Error
      ? `${error.name} ${error.message} ${String(Reflect.get(error, 'code') ?? '')}`
      : '';
  return TRANSIENT_NETWORK.test(text);
}
