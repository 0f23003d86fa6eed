import type { Config } from '../config.js';
import { ApiTokenService } from './api-tokens.js';
import { ROLES, type Role } from './roles.js';

/**
 * `batchyard token create|list|revoke`: the server-side way to make the first MANAGE token (or any
 * token) straight in the database — `kubectl exec deploy/batchyard -- batchyard token create admin
 * --roles ALL`. Later tokens are better made through the API (POST /auth/tokens), which audits them.
 */

export const TOKEN_USAGE = `batchyard token create <name> --roles VIEW,DEPLOY|ALL [--expires-in-days N]
batchyard token list
batchyard token revoke <name>
`;

export class TokenCommandError extends Error {
  override readonly name = 'TokenCommandError';
}

function parseRoles(text: string | undefined): Role[] {
  if (!text)
    throw new TokenCommandError(`--roles is required: a comma-separated list of ${ROLES.join(', ')}, or ALL`);
  if (text === 'ALL') return [...ROLES];
  const roles = text.split(',').map((r) => r.trim().toUpperCase());
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0)
    throw new TokenCommandError(`unknown role ${unknown.join(', ')}; expected ${ROLES.join(', ')} or ALL`);
  return roles as Role[];
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function runTokenCommand(
  args: string[],
  config: Readonly<Config>,
  out: (line: string) => void,
): Promise<number> {
  const [verb, name] = args;
  const { openDatabase } = await import('../runtime.js');
  const { createLogger } = await import('../logger.js');
  const db = await openDatabase(config, createLogger('warn'));
  try {
    const tokens = new ApiTokenService(db.prisma);
    if (verb === 'create' && name) {
      const days = option(args, '--expires-in-days');
      if (days !== undefined && !/^[1-9][0-9]{0,3}$/.test(days)) {
        throw new TokenCommandError(`--expires-in-days: expected a number of days, got '${days}'`);
      }
      const created = await tokens.create(
        {
          name,
          roles: parseRoles(option(args, '--roles')),
          expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000) : null,
        },
        'cli:token create',
      );
      out(created.token);
      return 0;
    }
    if (verb === 'list') {
      for (const t of await tokens.list())
        out(`${t.name}\t${t.roles.join(',')}\texpires ${t.expiresAt ?? 'never'}`);
      return 0;
    }
    if (verb === 'revoke' && name) {
      await tokens.revoke(name);
      return 0;
    }
    throw new TokenCommandError(`usage:\n${TOKEN_USAGE}`);
  } finally {
    await db.close();
  }
}
