import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../domain/security/credentials/token-digest.ts';

/** The first admin's credential: a bearer token known only by its SHA-256 (the token itself is shown once). */
export interface AdminTokenHash {
  name: string;
  role: 'admin';
  sha256: string;
}

export { sha256Hex };

/**
 * The first admin's bearer token. `JOULE_API_TOKEN` wins; otherwise a token is generated at first start, its hash
 * kept in `<dataDir>/admin-token.json`, and the token returned once (as `generated`) so it can be printed.
 */
export function bootstrapAdminToken(dataDir: string, configured: string | undefined): { hash: AdminTokenHash; generated?: string } {
  if (configured) return { hash: { name: 'admin', role: 'admin', sha256: sha256Hex(configured) } };
  const file = join(dataDir, 'admin-token.json');
  if (existsSync(file)) return { hash: JSON.parse(readFileSync(file, 'utf8')) as AdminTokenHash };
  const token = `jt_${randomBytes(24).toString('base64url')}`;
  const hash: AdminTokenHash = { name: 'admin', role: 'admin', sha256: sha256Hex(token) };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(hash, null, 2)}\n`, { mode: 0o600 });
  return { hash, generated: token };
}
