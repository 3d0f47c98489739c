// code-server for the extension-host tests, installed once into a cache outside the
// workspace: its install builds native modules (node-pty, kerberos…) against apt -dev
// packages and weighs ~300 MB, so as a workspace devDependency it would make every
// `npm install` slow and fail on a machine without those packages. Here it is one
// idempotent step that the tests (or CI) run, and its absence only skips the tests.
//
//   node vscode-ext/scripts/code-server.mjs            install if missing, print the binary
//   node vscode-ext/scripts/code-server.mjs --check    print the binary, exit 1 if missing
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

// the newest code-server that runs on Node 20 (VS Code 1.100); newer ones need Node 22+
export const CODE_SERVER_VERSION = '4.100.3';
export const cacheDir = join(
  process.env.EMKIT_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'emkit'),
  `code-server-${CODE_SERVER_VERSION}`,
);
export const codeServerBin = join(cacheDir, 'node_modules', '.bin', 'code-server');

function install() {
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new Error('ripgrep is missing: apt-get install ripgrep (code-server would try to download it)');
  // @vscode/ripgrep's postinstall downloads a release tarball; offline, hand it Debian's rg
  // in the cache folder it looks in first
  const tmp = mkdtempSync(join(tmpdir(), 'emkit-code-server-'));
  const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache);
  const staging = join(tmp, 'rg');
  mkdirSync(staging);
  copyFileSync(rg, join(staging, 'rg'));
  spawnSync('tar', ['-czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', staging, 'rg']);
  mkdirSync(cacheDir, { recursive: true });
  const result = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', cacheDir, `code-server@${CODE_SERVER_VERSION}`],
    // node-pty's postinstall runs `npx node-gyp`: answer its prompt; code-server's own
    // postinstall refuses to run as root (CI) unless told that its scripts may
    { stdio: 'inherit', env: { ...process.env, TMPDIR: tmp, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' } },
  );
  rmSync(tmp, { recursive: true, force: true });
  if (result.status !== 0 || !existsSync(codeServerBin)) {
    throw new Error(
      'installing code-server failed; it needs: apt-get install libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep g++ make',
    );
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  if (!existsSync(codeServerBin)) {
    if (process.argv.includes('--check')) {
      process.stderr.write(`code-server ${CODE_SERVER_VERSION} is not installed: node vscode-ext/scripts/code-server.mjs\n`);
      process.exit(1);
    }
    install();
  }
  process.stdout.write(`${codeServerBin}\n`);
}
