import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Certificate authorities and certificates made with the openssl CLI for one
// test run, so TLS is tested against what an operator's tools produce.

export interface KeyPair {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestCa extends KeyPair {
  /** A leaf for these names (DNS names or IPv4 addresses); `start`/`end` (YYYYMMDDHHMMSSZ) give dates in the past. */
  issue(names: string[], dates?: { start: string; end: string }): KeyPair;
}

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

function newKeyArgs(keyFile: string): string[] {
  return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile];
}

function pair(dir: string, name: string): KeyPair {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
  };
}

/** The files of a pair, as servers started in another process read them. */
export const onDisk = ({ certFile, keyFile }: KeyPair) => ({ cert: certFile, key: keyFile });

const altNames = (names: string[]) =>
  names.map((n) => (/^\d+(\.\d+){3}$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(', ');

/** A CA in its own folder under `dir`; `openssl ca` signs, since it can set any dates. */
export function makeCa(dir: string, name: string): TestCa {
  const home = path.join(dir, name);
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, 'index.txt'), '');
  writeFileSync(path.join(home, 'serial'), '1000\n');
  writeFileSync(
    path.join(home, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = this',
      '[this]',
      `dir = ${home}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir',
      'serial = $dir/serial',
      'certificate = $dir/ca.pem',
      'private_key = $dir/ca.key',
      'default_md = sha256',
      'unique_subject = no',
      'policy = any_name',
      '[any_name]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'req',
      '-x509',
      ...newKeyArgs('ca.key'),
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    home,
  );
  let leaves = 0;
  return {
    ...pair(home, 'ca'),
    issue(names, dates) {
      leaves += 1;
      const leaf = `leaf${leaves}`;
      writeFileSync(
        path.join(home, `${leaf}.ext`),
        [
          '[leaf]',
          'basicConstraints = critical, CA:FALSE',
          'keyUsage = critical, digitalSignature',
          'extendedKeyUsage = serverAuth',
          `subjectAltName = ${altNames(names)}`,
          '',
        ].join('\n'),
      );
      openssl(
        ['req', ...newKeyArgs(`${leaf}.key`), '-out', `${leaf}.csr`, '-subj', `/CN=${names[0]}`],
        home,
      );
      openssl(
        [
          'ca',
          '-batch',
          '-notext',
          '-config',
          'ca.cnf',
          '-extensions',
          'leaf',
          '-extfile',
          `${leaf}.ext`,
          ...(dates ? ['-startdate', dates.start, '-enddate', dates.end] : ['-days', '2']),
          '-in',
          `${leaf}.csr`,
          '-out',
          `${leaf}.pem`,
        ],
        home,
      );
      return pair(home, leaf);
    },
  };
}

/** A certificate that signs itself, for these names: trusted by nobody. */
export function selfSigned(dir: string, name: string, names: string[]): KeyPair {
  openssl(
    [
      'req',
      '-x509',
      ...newKeyArgs(`${name}.key`),
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${altNames(names)}`,
    ],
    dir,
  );
  return pair(dir, name);
}

/** The pin an operator computes for a certificate (agent/README.md), with the openssl CLI. */
export function opensslPin(certFile: string): string {
  const spki = execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', certFile]);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: spki });
  const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
  return execFileSync('base64', [], { input: digest }).toString().trim();
}
