/**
 * Spring Boot's datasource variables from a PostgreSQL connection URL and back: Spring wants the
 * JDBC form (`jdbc:postgresql://host:5432/db`) and the credentials apart
 * (SPRING_DATASOURCE_USERNAME / _PASSWORD), the TypeScript worker a `postgresql://` URL.
 */

export const POSTGRES_DRIVER_CLASS = 'org.postgresql.Driver';

export interface SpringDatasource {
  url: string;
  username: string;
  password: string;
  driverClassName: string;
}

/** `postgresql://user:pass@host:port/db?sslmode=require` → Spring's four variables. */
export function springDatasource(postgresUrl: string): SpringDatasource {
  const u = new URL(postgresUrl);
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new TypeError(`not a PostgreSQL URL (${u.protocol})`);
  }
  const query = u.searchParams.toString();
  return {
    url: `jdbc:postgresql://${u.host}${u.pathname}${query ? `?${query}` : ''}`,
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    driverClassName: POSTGRES_DRIVER_CLASS,
  };
}

/** SPRING_DATASOURCE_URL (+ username, password) → a `postgresql://` URL. */
export function postgresUrlFromJdbc(jdbcUrl: string, username?: string, password?: string): string {
  const m = /^jdbc:postgresql:\/\/(.+)$/s.exec(jdbcUrl.trim());
  if (!m) throw new TypeError('SPRING_DATASOURCE_URL must be a jdbc:postgresql:// URL');
  const u = new URL(`postgresql://${m[1]}`);
  // pgjdbc also takes the credentials as URL parameters.
  const user = username ?? u.searchParams.get('user') ?? undefined;
  const pass = password ?? u.searchParams.get('password') ?? undefined;
  u.searchParams.delete('user');
  u.searchParams.delete('password');
  if (user) u.username = encodeURIComponent(user);
  if (pass) u.password = encodeURIComponent(pass);
  return u.toString();
}
