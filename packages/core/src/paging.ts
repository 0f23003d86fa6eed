import { z } from 'zod';

/**
 * Keyset paging: the cursor is the sort key of the last row of the previous page, so every
 * page costs an index range scan whatever the table size (no OFFSET, no count(*)).
 */

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): (string | number)[] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return value;
    }
  } catch {
    // fall through: an undecodable cursor is a client error, reported by the caller
  }
  return undefined;
}

export const PageQuery = z.object({
  size: z.coerce.number().int().min(1).max(1000).default(20).describe('Page size (1–1000).'),
  cursor: z
    .string()
    .max(2048)
    .optional()
    .describe("Opaque cursor from the previous page's `page.next`; omit for the first page."),
  total: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('Also count the matching rows (costs a count; off by default).'),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const PageInfo = z.object({
  size: z.number().int(),
  next: z.string().nullable().describe('Cursor of the next page, null on the last page.'),
  total: z.number().int().optional(),
});
export type PageInfo = z.infer<typeof PageInfo>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: PageInfo });
}

export interface Page<T> {
  items: T[];
  page: PageInfo;
}
