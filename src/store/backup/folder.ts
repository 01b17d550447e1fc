/** Backups in a folder (a local disk, or a mounted volume): one file per object, written atomically. */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../file/fs-util.js";
import type { BackupTarget } from "./target.js";

export class FolderTarget implements BackupTarget {
  readonly location: string;

  constructor(dir: string) {
    this.location = resolve(dir);
  }

  private path(name: string): string {
    if (name.split("/").some((p) => p === ".." || p === ""))
      throw new Error(`bad backup object name "${name}"`);
    return join(this.location, ...name.split("/"));
  }

  async put(name: string, data: string): Promise<void> {
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, data);
  }

  async get(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(name), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const dir = this.path(prefix.replace(/\/$/, "") || ".");
    try {
      const names = await readdir(dir, { withFileTypes: true });
      const base = prefix.replace(/\/?$/, "/").replace(/^\.\/$|^\/$/, "");
      return names.filter((e) => e.isFile() && !/\.tmp-\d+$/.test(e.name)).map((e) => `${base}${e.name}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  async remove(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }
}
