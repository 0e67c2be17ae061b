import { rename, writeFile } from 'node:fs/promises'

/** Write then rename: a process watching the file never reads half a model. */
export async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.tmp`, bytes)
  await rename(`${path}.tmp`, path)
}
