/**
 * Backups in S3 or any S3-compatible object storage (MinIO, Ceph, a local test server), with
 * AWS SDK v3 and path-style addressing (`endpoint/bucket/key`, which compatible servers expect).
 * Credentials and region come from the SDK's usual sources (AWS_ACCESS_KEY_ID, AWS_REGION...).
 * A PUT stores an object whole, so a reader never sees half a checkpoint.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { BackupTarget, S3Options } from "./target.js";

export class S3Target implements BackupTarget {
  readonly location: string;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.location = `s3://${bucket}/${prefix}`;
  }

  /** The target of `s3://bucket/prefix`. */
  static open(spec: string, options: S3Options): S3Target {
    const rest = spec.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/^\/+|\/+$/g, "");
    const client = new S3Client({
      forcePathStyle: true,
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
      ...(options.endpoint && { endpoint: options.endpoint }),
    });
    return new S3Target(client, bucket, prefix ? `${prefix}/` : "");
  }

  async put(name: string, data: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + name,
        Body: data,
        ContentType: "application/octet-stream",
      }),
    );
  }

  async get(name: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }),
      );
      return (await out.Body?.transformToString("utf8")) ?? "";
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey") return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) names.push(o.Key.slice(this.prefix.length));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  async remove(name: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }));
  }
}
