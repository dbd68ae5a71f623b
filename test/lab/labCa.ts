import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

// The lab's own certificate authority, made afresh for every lab with the openssl
// CLI: the box trusts it through its config (tls.caFile), as a box in the field
// trusts the CA that signed the cloud's certificate.

export interface Certificate {
  cert: string;
  key: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

export function makeCa(dir: string, name = 'ca'): Certificate {
  const ca = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  openssl([
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', ca.key, '-out', ca.cert, '-days', '2', '-subj', `/CN=Zen lab ${name}`],
  ]);
  return ca;
}

/** A server certificate for `host` (a name, or an IPv4 address), signed by `ca`. */
export function issue(dir: string, ca: Certificate, host: string, name = host): Certificate {
  const leaf = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  const altName = /^\d+(\.\d+){3}$/.test(host) ? `IP:${host}` : `DNS:${host}`;
  writeFileSync(ext, `subjectAltName=${altName}\nextendedKeyUsage=serverAuth\n`);
  openssl([
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', leaf.key, '-out', csr, '-subj', `/CN=${host}`],
  ]);
  openssl([
    ...['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial'],
    ...['-out', leaf.cert, '-days', '2', '-extfile', ext],
  ]);
  return leaf;
}
