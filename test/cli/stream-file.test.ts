// streamFileAtomic (src/cli/command.ts), the whole-or-nothing streamed write behind
// `fingrad predict --out`: an error that stops the writer while a write is still in flight must
// reject with that error and leave neither the target nor the temporary file, not crash the
// process when the pending write lands on the closed stream (ERR_STREAM_DESTROYED, unhandled).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamFileAtomic } from '../../src/cli/command.js';

const dir = mkdtempSync(join(tmpdir(), 'fingrad-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('streamFileAtomic', () => {
  it('writes the file whole and renames it over the target', async () => {
    const path = join(dir, 'scores.csv');
    writeFileSync(path, 'old\n');
    await streamFileAtomic(path, async (write) => {
      for (let i = 0; i < 2000; i++) await write(`${i},${'x'.repeat(100)}\n`);
    });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2000);
    expect(lines[1999]?.startsWith('1999,')).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('on an error with writes still in flight: rejects with it, keeps the old file, removes the temporary one', async () => {
    const path = join(dir, 'kept.csv');
    writeFileSync(path, 'old\n');
    const late: unknown[] = [];
    const onError = (e: unknown): void => void late.push(e);
    process.on('uncaughtException', onError);
    try {
      for (let round = 0; round < 20; round++) {
        await expect(streamFileAtomic(path, async (write) => {
          // Once the file is open, a write is taken into the stream's buffer at once and the
          // file system writes it later, so the error below comes while it is in flight (the
          // code this replaced crashed on every one of 50 such rounds).
          await write('id,score\n');
          await new Promise((r) => setTimeout(r, 5));
          await write('a'.repeat(8 << 10));
          throw new Error('line 4: not a number');
        })).rejects.toThrow('line 4: not a number');
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(late).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
