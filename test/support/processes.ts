import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Linux only: what these helpers read is under /proc. */
export const hasProc = process.platform === 'linux';

function parentOf(pid: number): number | null {
  try {
    // the command may hold spaces and parentheses: the fields after the last ")" are fixed
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Live processes whose command line contains `text`, with all their descendants. */
export function processTree(text: string): number[] {
  const pids = allPids();
  const tree = new Set(pids.filter((pid) => pid !== process.pid && commandLine(pid).includes(text)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const pid of pids) {
      const parent = parentOf(pid);
      if (!tree.has(pid) && parent !== null && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  // a zombie has no command line and holds nothing: it is gone for what the tests ask
  return [...tree].filter((pid) => {
    try {
      return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The TCP ports (v4 and v6) these processes listen on, from /proc/net/tcp* matched by socket inode. */
export function listeningTcpPorts(pids: readonly number[]): number[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[] = [];
    try {
      lines = readFileSync(table, 'utf8').trim().split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      // st 0A is LISTEN; field 9 is the inode
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) ports.push(Number.parseInt(fields[1]?.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

/** The paths of the Unix sockets these processes listen on, from /proc/net/unix. */
export function listeningUnixSockets(pids: readonly number[]): string[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const paths: string[] = [];
  for (const line of readFileSync('/proc/net/unix', 'utf8').trim().split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // Flags 00010000 is __SO_ACCEPTCON (listening); field 6 the inode, 7 the path
    if (fields[3] === '00010000' && inodes.has(fields[6] ?? '') && fields[7]?.startsWith('/')) paths.push(fields[7]);
  }
  return paths;
}

const PROBE = `
import socket, sys
for target in sys.argv[1:]:
    try:
        if target.startswith("/"):
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(5)
            s.connect(target)
        else:
            s = socket.create_connection(("127.0.0.1", int(target)), timeout=5)
        s.sendall(b"GET / HTTP/1.0\\r\\nHost: evil.example\\r\\n\\r\\n")
        print("reached", target, s.recv(12))
    except OSError as e:
        print("refused", target, e.errno)
`;

/** Whether anything at these targets (TCP ports, Unix socket paths) answers another local user (nobody). */
export function reachableByAnotherUser(targets: readonly (string | number)[]): string[] {
  const result = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/python3', '-c', PROBE, ...targets.map(String)],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`the probe as another user failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('reached'))
    .map((line) => line.split(' ')[1] ?? '');
}

/** Running as root, with setpriv: the second local user can be stood in for. */
export const canActAsAnotherUser = hasProc && process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
