import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { registerBridgeCommands } from "../../src/cli/bridge.ts";
import { registerPromoteCommand } from "../../src/cli/promote.ts";
import { startMockVenue } from "../support/mock-venue.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
// random, as `openssl rand -hex 32` makes one: the bridge refuses weak tokens
const TOKEN = "087099989314142aa0baa9cac92130c950d48df3ef373206c7a769683c8f03e0";
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGTERM");
});

/** The CLI's commands, in this process: the same commander actions `stom` runs, without a process start. */
async function stom(args: string[], env: Record<string, string>): Promise<string> {
  const program = new Command().exitOverride();
  registerBridgeCommands(program);
  registerPromoteCommand(program);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let out = "";
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: "user" });
  } finally {
    write.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return out;
}

describe("stom bridge and stom promote", () => {
  it("refuses to start without a long token", async () => {
    await expect(stom(["bridge", "--port", "0"], { STOM_BRIDGE_TOKEN: "short" })).rejects.toThrow(
      /STOM_BRIDGE_TOKEN must be set to at least 32 characters/,
    );
  });

  it("still takes the old --data as --journal, with one deprecation line", async () => {
    let err = "";
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    try {
      await expect(
        stom(["bridge", "--port", "0", "--data", "bridge-data"], { STOM_BRIDGE_TOKEN: "short" }),
      ).rejects.toThrow(/STOM_BRIDGE_TOKEN/);
    } finally {
      write.mockRestore();
    }
    expect(err).toBe("stom bridge: --data is deprecated, use --journal\n");
  });

  it("keeps --data out of the help; --journal is there", () => {
    const program = new Command();
    registerBridgeCommands(program);
    registerPromoteCommand(program);
    const help = program.commands.find((c) => c.name() === "bridge")!.helpInformation();
    expect(help).toContain("--journal <dir>");
    expect(help).not.toContain("--data");
  });

  it("the real `stom bridge` process serves and takes a paper promotion from `stom promote`", async () => {
    const venue = await startMockVenue();
    const data = mkdtempSync(path.join(os.tmpdir(), "stom-cli-bridge-"));
    const env = { STOM_BRIDGE_TOKEN: TOKEN, STOM_CCXT_URL_OVERRIDE: venue.url };
    // port 0: the bridge picks a free port and logs it (a random fixed port could collide)
    child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "bridge", "--port", "0", "--journal", data],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    const end = Date.now() + 60_000;
    let port = 0;
    while (!port && Date.now() < end) {
      const line = out.split("\n").find((l) => l.includes("bridge listening"));
      if (line) port = JSON.parse(line).port;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(port).toBeGreaterThan(0);
    const bridge = `http://127.0.0.1:${port}`;
    const health = await (await fetch(`${bridge}/api/health`)).json();
    expect(health).toMatchObject({ status: "ok", mode: "paper" });

    const promoted = await stom(
      [
        "promote",
        "sma-cross",
        "--params",
        '{"fast":5,"slow":20}',
        "--exchange",
        "binance",
        "--symbol",
        "XRP/ETH",
        "--bridge",
        bridge,
      ],
      env,
    );
    const promotion = JSON.parse(promoted);
    expect(promotion).toMatchObject({
      strategy: "sma-cross",
      mode: "paper",
      exchange: "binance",
      resolvedParams: { fast: 5, slow: 20 },
    });
    const list = await (
      await fetch(`${bridge}/api/promotions`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).json();
    expect(list.map((p: { id: string }) => p.id)).toContain(promotion.id);
    // the token never shows in the server's log
    expect(out).not.toContain(TOKEN);
    child.kill("SIGTERM");
    await venue.close();
  });
});
