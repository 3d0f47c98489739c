import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ZipFile } from 'yazl';

export interface RayPackage {
  /** `_ray_pkg_<hash>.zip`: the name Ray's store keeps it under; the same folder gives the same name */
  name: string;
  zip: Buffer;
}

/** Every file under `dir`, sorted, as paths relative to it with `/` (links are not followed). */
function filesOf(dir: string, skipDir: (name: string) => boolean = () => false): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!skipDir(entry.name)) walk(path);
      } else if (entry.isFile()) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found;
}

/** One fixed time for every entry, so the bytes (and the name) depend on the contents alone. */
const FIXED_TIME = new Date('2000-01-01T00:00:00Z');

/**
 * A folder as the working directory of a Ray job: a zip with the folder's files at its root
 * (as Ray's own packaging makes it), named after its SHA-256, so an unchanged folder is
 * uploaded once while Ray keeps it.
 */
export function packageFolder(dir: string): Promise<RayPackage> {
  return packageFolders([{ dir, under: '' }]);
}

export interface PackagePart {
  dir: string;
  /** the folder in the zip it goes under ('' : the root) */
  under: string;
  /** folders by name left out (e.g. __pycache__) */
  skipDir?: (name: string) => boolean;
}

/** Several folders in one working directory, each under its own folder of the zip. */
export async function packageFolders(parts: PackagePart[]): Promise<RayPackage> {
  const zip = new ZipFile();
  for (const part of parts) {
    for (const file of filesOf(part.dir, part.skipDir)) {
      const path = join(part.dir, ...file.split('/'));
      const mode = statSync(path).mode & 0o777;
      const name = part.under ? `${part.under}/${file}` : file;
      zip.addBuffer(readFileSync(path), name, { mtime: FIXED_TIME, mode: 0o100000 | mode, compress: true });
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  return { name: `_ray_pkg_${hash}.zip`, zip: bytes };
}
