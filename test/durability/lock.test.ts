/**
 * One owner per data folder: a second server on the same folder refuses to start with one line
 * naming the holder (PID, address) while the first keeps working; the lock of a killed process
 * is taken over; a writing CLI command (repair) takes the lock too.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import { DataDirLock, readLock } from "../../src/store/file/lock.js";
import { freePort, runBrook, type ServerProcess, spawnServer } from "../helpers/process.js";
import { tempDir } from "../helpers/tmp.js";

/** The PID of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

describe("the data folder lock", () => {
  let tmp: ReturnType<typeof tempDir>;
  const servers: ServerProcess[] = [];
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      if (s.child.exitCode === null) {
        s.child.kill("SIGTERM");
        await s.exited();
      }
    }
    tmp.remove();
  });
  after(() => {
    for (const s of servers) s.child.kill("SIGKILL");
  });

  it("in one process: a second owner is refused naming the first; after release it is free", () => {
    const first = DataDirLock.acquire(tmp.dir, "http://127.0.0.1:9999");
    assert.throws(
      () => DataDirLock.acquire(tmp.dir, undefined),
      (err: any) => {
        assert.equal(err.code, "BROOK_DATA_DIR_LOCKED");
        assert.match(
          err.message,
          new RegExp(
            `in use by Brook PID ${process.pid} on ${hostname()}, listening on http://127.0.0.1:9999`,
          ),
        );
        return true;
      },
    );
    first.setAddress("http://127.0.0.1:1234");
    assert.equal((readLock(tmp.dir) as any).address, "http://127.0.0.1:1234");
    first.release();
    assert.equal(existsSync(join(tmp.dir, "LOCK")), false);
    DataDirLock.acquire(tmp.dir, undefined).release();
  });

  it("the lock of a process that is gone is taken over, and logged", async () => {
    const pid = await deadPid();
    writeFileSync(
      join(tmp.dir, "LOCK"),
      JSON.stringify({
        format: "brook.lock",
        pid,
        hostname: hostname(),
        startedAt: "2020-01-01T00:00:00Z",
        token: "x",
      }),
    );
    const warnings: string[] = [];
    const lock = DataDirLock.acquire(tmp.dir, undefined, { warn: (_o, m) => warnings.push(m) });
    assert.equal((readLock(tmp.dir) as any).pid, process.pid);
    assert.match(warnings.join(), new RegExp(`took over the lock of Brook PID ${pid}`));
    lock.release();
  });

  it("a lock whose PID now belongs to another process (PID reuse) is stale too", () => {
    // Our own PID, but another process start time: not the process that wrote it.
    writeFileSync(
      join(tmp.dir, "LOCK"),
      JSON.stringify({
        format: "brook.lock",
        pid: process.pid,
        hostname: hostname(),
        startedAt: "",
        procStart: "1",
        token: "y",
      }),
    );
    if (!existsSync(`/proc/${process.pid}/stat`)) return; // needs /proc to tell
    DataDirLock.acquire(tmp.dir, undefined).release();
  });

  it("a lock from another host is never taken over", () => {
    writeFileSync(
      join(tmp.dir, "LOCK"),
      JSON.stringify({
        format: "brook.lock",
        pid: 1,
        hostname: "elsewhere.example",
        startedAt: "",
        token: "z",
      }),
    );
    assert.throws(
      () => DataDirLock.acquire(tmp.dir, undefined),
      /in use by Brook PID 1 on elsewhere.example/,
    );
  });

  it("two servers on one folder: the second refuses in one line naming PID and address, the first keeps working", {
    timeout: 60_000,
  }, async () => {
    const first = await spawnServer(["--workers", "1"], { BROOK_DATA_DIR: tmp.dir });
    servers.push(first);
    const port = await freePort();
    const second = await runBrook(
      ["serve", "--workers", "1", "--port", String(port), "--host", "127.0.0.1"],
      {
        BROOK_DATA_DIR: tmp.dir,
        BROOK_LOG_LEVEL: "warn",
      },
    );
    assert.notEqual(second.code, 0);
    const lines = second.stderr.trim().split("\n");
    assert.equal(lines.length, 1, second.stderr);
    assert.match(
      lines[0]!,
      new RegExp(`in use by Brook PID ${first.child.pid} .*listening on ${first.url.replace(/[.]/g, "\\.")}`),
    );
    const res = await fetch(`${first.url}/v1/models/default/learn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ x: { a: 1 }, y: true }),
    });
    assert.equal(res.status, 200);
    // repair writes the folder: it takes the lock too, so it is refused while a server holds it.
    const repair = await runBrook([
      "repair",
      "--data-dir",
      tmp.dir,
      "--model",
      "default",
      "--truncate-at",
      "1",
    ]);
    assert.notEqual(repair.code, 0);
    assert.match(repair.stderr, /in use by Brook PID/);
  });

  it("a server killed with SIGKILL leaves a stale lock; the next start takes it over", {
    timeout: 60_000,
  }, async () => {
    const first = await spawnServer(["--workers", "1"], { BROOK_DATA_DIR: tmp.dir });
    const firstPid = first.child.pid;
    assert.equal((readLock(tmp.dir) as any).pid, firstPid);
    first.child.kill("SIGKILL");
    await first.exited();
    assert.equal((readLock(tmp.dir) as any).pid, firstPid, "SIGKILL left its lock");
    const second = await spawnServer(["--workers", "1"], { BROOK_DATA_DIR: tmp.dir });
    servers.push(second);
    assert.equal((readLock(tmp.dir) as any).pid, second.child.pid);
    assert.match(second.output(), new RegExp(`took over the lock of Brook PID ${firstPid}`));
    second.child.kill("SIGTERM");
    assert.equal(await second.exited(), 0);
    assert.equal(existsSync(join(tmp.dir, "LOCK")), false, "a graceful stop removes it");
  });
});
