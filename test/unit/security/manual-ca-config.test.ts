import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { loadCertificateAuthority } from '../../../src/domain/security/certificate-authority-source.ts';
import { createRootCa } from '../../../src/domain/security/pki/certificate-authority.ts';
import { certificatePem } from '../../../src/domain/security/pki/pem.ts';

describe('JOULE_CA_MODE=manual: the operator\'s CA certificate without its key', () => {
  it('needs JOULE_CA_CERT_FILE, and refuses a key file (that is JOULE_CA_MODE=file)', () => {
    assert.throws(() => loadConfig({ JOULE_CA_MODE: 'manual' }), (e) => e instanceof ConfigError && /needs JOULE_CA_CERT_FILE/.test(e.message));
    assert.throws(
      () => loadConfig({ JOULE_CA_MODE: 'manual', JOULE_CA_CERT_FILE: 'ca.crt', JOULE_CA_KEY_FILE: 'ca.key' }),
      (e) => e instanceof ConfigError && /leave JOULE_CA_KEY_FILE unset/.test(e.message),
    );
    assert.throws(() => loadConfig({ JOULE_CA_MODE: 'manually' }), /builtin, file, manual or off/);
    assert.equal(loadConfig({ JOULE_CA_MODE: 'manual', JOULE_CA_CERT_FILE: 'ca.crt' }).caMode, 'manual');
  });

  it('loads the certificate as the external authority; Joule gets no signing CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'joule-manual-ca-'));
    try {
      const root = await createRootCa({ commonName: 'Operator Root', organization: 'Operator' });
      const file = join(dir, 'ca.crt');
      writeFileSync(file, certificatePem(root.certificate));
      const loaded = await loadCertificateAuthority({ mode: 'manual', dataDir: dir, organization: 'Operator', certificateFile: file });
      assert.equal(loaded.authority, undefined);
      assert.equal(loaded.external?.certificate.subject, root.certificate.subject);
      assert.deepEqual(loaded.external?.issuers, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
