import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipFile } from 'yazl';

/**
 * A folder as a zip of its regular files and folders (empty class folders included), paths
 * relative to it, as `emkit dataset upload` sends one: hidden entries, links, FIFOs and
 * devices stay out, as the bridge's scanner leaves them out.
 */
export async function zipFolder(root: string): Promise<Uint8Array> {
  const zip = new ZipFile();
  const walk = async (dir: string, prefix: string) => {
    for (const name of (await readdir(dir)).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const info = await lstat(path);
      if (info.isDirectory()) {
        zip.addEmptyDirectory(`${prefix}${name}`);
        await walk(path, `${prefix}${name}/`);
      } else if (info.isFile()) {
        zip.addFile(path, `${prefix}${name}`, { mode: 0o100000 | (info.mode & 0o777) });
      }
    }
  };
  await walk(root, '');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
