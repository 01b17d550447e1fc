/** Finding records in a segment file's bytes, for tests that damage them on purpose. */

/** Byte offset of record `seq` in a segment whose first record is seq 1. */
export function offsetOf(buf: Buffer, seq: number): number {
  let offset = 0;
  for (let i = 1; i < seq; i++) offset += 8 + buf.readUInt32LE(offset);
  return offset;
}
