/**
 * Where Joule's certificate authority comes from (JOULE_CA_MODE):
 * - `builtin` (default): a root CA Joule creates at first start under `<data dir>/pki/ca/` (ca.crt, and ca.key with
 *   file mode 0600), EC P-256, O = the operator's organisation. Nodes of a cluster need the same files (a shared data
 *   directory, or copy them, or use `file`).
 * - `file`: the operator's own CA: a CA certificate and its PKCS #8 key (and, for an intermediate, the chain above it
 *   up to the root), checked at start (key matches, chain verifies).
 * - `manual`: the operator's own CA, whose key stays with the operator: its certificate (and the chain above it); CSRs
 *   wait in a queue until an operator uploads the certificate the CA signed (signing-request-queue.ts).
 * - `off`: no CA; station CSRs are declined.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { type CertificateAuthority, createRootCa, exportCertificateAuthority, importCertificateAuthority } from './pki/certificate-authority.ts';
import { type ExternalAuthority, importExternalAuthority } from './pki/external-authority.ts';
import { PkiInputError } from './pki/pem.ts';

export type CaMode = 'builtin' | 'file' | 'manual' | 'off';

/** Joule's CA (builtin, file), or the operator's without its key (manual), or neither (off). */
export interface LoadedAuthority {
  authority?: CertificateAuthority | undefined;
  external?: ExternalAuthority | undefined;
}

export interface CaSourceOptions {
  mode: CaMode;
  dataDir: string;
  /** The O of the built-in CA (and of the CSRs stations send). */
  organization: string;
  certificateFile?: string | undefined;
  keyFile?: string | undefined;
  /** PEM of the certificates above the CA certificate, nearest first, ending with the root. */
  chainFile?: string | undefined;
}

const CERTIFICATE = 'ca.crt';
const KEY = 'ca.key';

export async function loadCertificateAuthority(options: CaSourceOptions): Promise<LoadedAuthority> {
  switch (options.mode) {
    case 'off':
      return {};
    case 'file':
      return { authority: await importFiles(options) };
    case 'builtin':
      return { authority: await builtinCa(options) };
    case 'manual':
      return { external: await importExternal(options) };
  }
}

async function importExternal(options: CaSourceOptions): Promise<ExternalAuthority> {
  if (!options.certificateFile) throw new PkiInputError('JOULE_CA_MODE=manual needs JOULE_CA_CERT_FILE');
  return importExternalAuthority(
    readFileSync(options.certificateFile, 'utf8'),
    options.chainFile ? readFileSync(options.chainFile, 'utf8') : '',
  );
}

async function importFiles(options: CaSourceOptions): Promise<CertificateAuthority> {
  if (!options.certificateFile || !options.keyFile) {
    throw new PkiInputError('JOULE_CA_MODE=file needs JOULE_CA_CERT_FILE and JOULE_CA_KEY_FILE');
  }
  return importCertificateAuthority({
    certificatePem: readFileSync(options.certificateFile, 'utf8'),
    privateKeyPem: readFileSync(options.keyFile, 'utf8'),
    issuerChainPem: options.chainFile ? readFileSync(options.chainFile, 'utf8') : '',
    rsaSignature: 'PSS',
  });
}

/** The built-in CA under `<dataDir>/pki/ca`, created on first use (atomically: processes starting together agree). */
async function builtinCa(options: CaSourceOptions): Promise<CertificateAuthority> {
  const pkiDir = join(options.dataDir, 'pki');
  const caDir = join(pkiDir, 'ca');
  if (!existsSync(join(caDir, CERTIFICATE))) {
    mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
    const ca = await createRootCa({ commonName: `${options.organization} Joule CA`, organization: options.organization });
    const stored = await exportCertificateAuthority(ca);
    const staging = join(pkiDir, `.ca-${randomBytes(6).toString('hex')}`);
    mkdirSync(staging, { mode: 0o700 });
    writeFileSync(join(staging, KEY), stored.privateKeyPem, { mode: 0o600 });
    chmodSync(join(staging, KEY), 0o600);
    writeFileSync(join(staging, CERTIFICATE), stored.certificatePem, { mode: 0o644 });
    try {
      renameSync(staging, caDir);
    } catch {
      // Another process created it first: use theirs.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return importCertificateAuthority({
    certificatePem: readFileSync(join(caDir, CERTIFICATE), 'utf8'),
    privateKeyPem: readFileSync(join(caDir, KEY), 'utf8'),
    issuerChainPem: '',
    rsaSignature: 'PSS',
  });
}
