/** A local S3-compatible server for tests (s3rver, in this process, on a free port, in a temporary folder). */
import S3rver from "s3rver";
import { tempDir } from "./tmp.js";

export interface LocalS3 {
  endpoint: string;
  /** The environment an S3 client of it needs (s3rver's fixed credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function localS3(bucket: string): Promise<LocalS3> {
  const tmp = tempDir();
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: tmp.dir,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const env = {
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    env,
    close: async () => {
      await server.close();
      tmp.remove();
    },
  };
}
