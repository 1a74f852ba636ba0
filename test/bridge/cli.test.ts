import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startMockVenue } from "../support/mock-venue.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TOKEN = "cli-token-0123456789abcdefghijklmnopq";
const run = promisify(execFile);
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGTERM");
});

describe("stom bridge and stom promote", () => {
  it("refuses to start without a long token, then serves and takes a paper promotion", async () => {
    const short = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "bridge", "--port", "0"],
      {
        cwd: ROOT,
        env: { ...process.env, STOM_BRIDGE_TOKEN: "short" },
      },
    ).catch((e) => e);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/STOM_BRIDGE_TOKEN must be set to at least 32 characters/);

    const venue = await startMockVenue();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const data = mkdtempSync(path.join(os.tmpdir(), "stom-cli-bridge-"));
    const env = { ...process.env, STOM_BRIDGE_TOKEN: TOKEN, STOM_CCXT_URL_OVERRIDE: venue.url };
    child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "bridge", "--port", String(port), "--data", data],
      {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    const end = Date.now() + 90_000; // the bridge loads ccxt and express: slow on a busy machine
    while (!out.includes("bridge listening") && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const health = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
    expect(health).toMatchObject({ status: "ok", mode: "paper" });

    const promoted = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "promote",
        "sma-cross",
        "--params",
        '{"fast":5,"slow":20}',
        "--exchange",
        "binance",
        "--symbol",
        "XRP/ETH",
        "--bridge",
        `http://127.0.0.1:${port}`,
      ],
      { cwd: ROOT, env },
    );
    const promotion = JSON.parse(promoted.stdout);
    expect(promotion).toMatchObject({
      strategy: "sma-cross",
      mode: "paper",
      exchange: "binance",
      resolvedParams: { fast: 5, slow: 20 },
    });
    const list = await (
      await fetch(`http://127.0.0.1:${port}/api/promotions`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      })
    ).json();
    expect(list.map((p: { id: string }) => p.id)).toContain(promotion.id);
    // the token never shows in the server's log
    expect(out).not.toContain(TOKEN);
    child.kill("SIGTERM");
    await venue.close();
  });
});
