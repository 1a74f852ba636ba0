import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileWriter } from "../../../src/data/catalog/file-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "stom-file-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (i: number) => Uint8Array.from({ length: 100 + i }, (_, k) => (i + k) % 251);

describe("FileWriter", () => {
  it("writes every file with its own bytes, before and after its thread starts", async () => {
    const writer = new FileWriter();
    const scratch = new Uint8Array(400);
    const done: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      // the caller reuses its buffer at once: the writer must have copied it
      scratch.set(bytesOf(i));
      done.push(writer.write(join(dir, `f${i}`), scratch.subarray(0, 100 + i)));
      scratch.fill(0);
      // let the thread start partway through
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    writer.flush();
    await Promise.all(done);
    for (let i = 0; i < 200; i++) expect(readFileSync(join(dir, `f${i}`))).toEqual(Buffer.from(bytesOf(i)));
    await writer.close();
  });

  it("reuses its shared buffer as files are written, and sends a large file on its own", async () => {
    const writer = new FileWriter();
    const sizes = Array.from({ length: 200 }, (_, i) => (i === 120 ? 3 << 20 : 90_000 + i * 7));
    const fill = (i: number) => {
      const b = new Uint8Array(sizes[i]);
      for (let k = 0; k < b.length; k += 4096) b[k] = (i * 31 + k) % 256;
      return b;
    };
    const done: Promise<void>[] = [];
    for (let i = 0; i < sizes.length; i++) {
      done.push(writer.write(join(dir, `h${i}`), fill(i)));
      // about 18 MB in all through an 8 MB buffer: it wraps while earlier batches are still written
      if (i % 16 === 0) await new Promise((r) => setTimeout(r, i === 0 ? 150 : 1));
    }
    writer.flush();
    await Promise.all(done);
    for (let i = 0; i < sizes.length; i++)
      expect(readFileSync(join(dir, `h${i}`)).equals(fill(i))).toBe(true);
    await writer.close();
  });

  it("fails the file that cannot be written, with node's error, and writes the others", async () => {
    const writer = new FileWriter();
    const results: Promise<string>[] = [];
    for (let i = 0; i < 60; i++) {
      const path = i === 50 ? join(dir, "missing", "x") : join(dir, `g${i}`);
      results.push(
        writer.write(path, bytesOf(i)).then(
          () => "ok",
          (e: NodeJS.ErrnoException) => e.code ?? e.message,
        ),
      );
      if (i === 10) await new Promise((r) => setTimeout(r, 200));
    }
    writer.flush();
    const out = await Promise.all(results);
    expect(out[50]).toBe("ENOENT");
    expect(out.filter((r) => r === "ok").length).toBeGreaterThanOrEqual(50);
    expect(readFileSync(join(dir, "g49"))).toEqual(Buffer.from(bytesOf(49)));
    await writer.close();
  });
});
