/**
 * Where checkpoints are backed up, outside Redis: a folder, or S3-compatible object storage.
 * A target only stores named objects; what they hold and how they are named is backups.ts.
 */
export interface BackupTarget {
  /** Where, for messages (`/srv/backups`, `s3://bucket/prefix`). */
  readonly location: string;
  /** Stores an object whole (a reader never sees half of it). */
  put(name: string, data: string): Promise<void>;
  /** An object's contents, or undefined when there is none of that name. */
  get(name: string): Promise<string | undefined>;
  /** The names of the objects under `prefix` (a folder-like `model/`), in no particular order. */
  list(prefix: string): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** Options of the S3 target. */
export interface S3Options {
  /** An S3-compatible endpoint (path-style), or empty for AWS. */
  endpoint: string;
}

/** The target `spec` names: `s3://bucket/prefix` or a folder. */
export async function backupTarget(spec: string, s3: S3Options): Promise<BackupTarget> {
  if (spec.startsWith("s3://")) {
    const { S3Target } = await import("./s3.js");
    return S3Target.open(spec, s3);
  }
  const { FolderTarget } = await import("./folder.js");
  return new FolderTarget(spec);
}
