import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { encodeRecord } from "../../src/codec/events.js";
import { parseRedisUrl } from "../../src/store/redis/connection.js";
import { RedisStorage } from "../../src/store/redis/storage.js";
import { dropPrefix, SHARED_REDIS, testClient, testPrefix } from "../helpers/redis.js";
import { sampleEvent, storeContract } from "./contract.js";

let prefix = testPrefix("contract");
storeContract("redis", {
  persistent: true,
  setUp: () => {
    prefix = testPrefix("contract");
  },
  tearDown: () => dropPrefix(SHARED_REDIS, prefix),
  open: () => RedisStorage.open(parseRedisUrl(SHARED_REDIS), prefix, "brook-test"),
  damageCheckpoint: async (s, model, seq) => {
    const storage = s as RedisStorage;
    const gen = (await storage.generation(model))!;
    const key = storage.keys.model(model, gen).checkpoint(seq);
    const len = await storage.redis.strlen(key);
    await storage.redis.setrange(key, len - 2, "#");
  },
});

describe("the Redis log keeps the file log's record bytes", () => {
  const p = testPrefix("bytes");
  after(() => dropPrefix(SHARED_REDIS, p));

  it("each stream entry holds encodeRecord's bytes, under the id <seq>-0", async () => {
    const storage = await RedisStorage.open(parseRedisUrl(SHARED_REDIS), p, "brook-test");
    const redis = testClient(SHARED_REDIS);
    try {
      const log = await storage.openLog("m");
      for (let i = 1; i <= 30; i++) await log.append(i, [sampleEvent(i)]);
      const gen = (await storage.generation("m"))!;
      const entries = (await redis.xrangeBuffer(storage.keys.model("m", gen).stream, "-", "+")) as [
        Buffer,
        Buffer[],
      ][];
      assert.equal(entries.length, 30);
      for (const [i, [id, fields]] of entries.entries()) {
        assert.equal(id.toString(), `${i + 1}-0`);
        assert.equal(fields[0]!.toString(), "r");
        assert.deepEqual(fields[1], encodeRecord(i + 1, sampleEvent(i + 1)), `seq ${i + 1}`);
      }
    } finally {
      redis.disconnect();
      await storage.close();
    }
  });

  it("a URL names its database, TLS and hides its password", () => {
    const t = parseRedisUrl("rediss://user:secret@cache.example:6380/3");
    assert.deepEqual(
      { host: t.host, port: t.port, db: t.db, tls: t.tls },
      { host: "cache.example", port: 6380, db: 3, tls: true },
    );
    assert.doesNotMatch(t.shown, /secret/);
    assert.throws(() => parseRedisUrl("http://x"), /not a redis/);
    assert.throws(() => parseRedisUrl("redis://h/99"), /database/);
  });
});
