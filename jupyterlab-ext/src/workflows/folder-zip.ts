import type { Contents } from '@jupyterlab/services';
import { type Zippable, zipSync } from 'fflate';

/** A file's bytes as Jupyter's contents API gives them (base64). */
export async function fileBytes(contents: Contents.IManager, path: string): Promise<Uint8Array> {
  const model = await contents.get(path, { type: 'file', format: 'base64', content: true });
  const binary = atob(String(model.content).replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A folder of the Jupyter server as a zip, paths relative to it, read through the contents API
 * (the page can't read the disk): what `emkit dataset upload` sends for a folder, for a bridge
 * that can't see the server's files. Hidden entries stay out, as the bridge's scanner leaves them out.
 */
export async function zipServerFolder(contents: Contents.IManager, path: string): Promise<Uint8Array> {
  const read = async (dir: string): Promise<Zippable> => {
    const listing = await contents.get(dir, { type: 'directory', content: true });
    const tree: Zippable = {};
    const items = [...(listing.content as Contents.IModel[])].sort((a, b) => a.name.localeCompare(b.name));
    for (const item of items) {
      if (item.name.startsWith('.')) continue;
      tree[item.name] = item.type === 'directory' ? await read(item.path) : await fileBytes(contents, item.path);
    }
    return tree;
  };
  return zipSync(await read(path));
}
