import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/** fsyncs a directory so that a created or renamed entry survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a file atomically (all or nothing, a failure leaves no temporary file): a temporary file, fsynced, renamed over the target, directory fsynced. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A full disk must not also keep a half-written temporary file.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(dirname(path));
}
