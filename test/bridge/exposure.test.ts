import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { Bridge } from "../../src/bridge/bridge.ts";
import { exposure, isLoopback } from "../../src/bridge/exposure.ts";
import { WS_PROTOCOL_PREFIX } from "../../src/bridge/server.ts";
import { registerBridgeCommands } from "../../src/cli/bridge.ts";
import { type Client, openBridge, STRONG_TOKEN, serve, tempDir } from "../support/bridge.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("exposure", () => {
  it("needs TLS or --insecure off loopback, and warns either way", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
      expect(isLoopback(host)).toBe(true);
      expect(exposure({ host })).toEqual({});
    }
    for (const host of ["0.0.0.0", "::", "192.168.0.10", "bridge.example"])
      expect(isLoopback(host)).toBe(false);
    const open = exposure({ host: "0.0.0.0" });
    expect(open.warning).toMatch(/reachable from other machines/);
    expect(open.error).toMatch(/--tls-cert <pem> --tls-key <pem>.*--insecure/);
    expect(exposure({ host: "0.0.0.0", insecure: true })).toEqual({ warning: open.warning });
    expect(exposure({ host: "0.0.0.0", tlsCert: "c.pem", tlsKey: "k.pem" })).toEqual({
      warning: open.warning,
    });
    expect(exposure({ host: "127.0.0.1", tlsCert: "c.pem" }).error).toMatch(/go together/);
  });

  it("stom bridge --host 0.0.0.0 prints the warning and refuses without TLS or --insecure", async () => {
    const program = new Command().exitOverride();
    registerBridgeCommands(program);
    let err = "";
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    const saved = process.env.STOM_BRIDGE_TOKEN;
    process.env.STOM_BRIDGE_TOKEN = STRONG_TOKEN;
    try {
      await expect(
        program.parseAsync(["bridge", "--host", "0.0.0.0", "--port", "0", "--journal", tempDir()], {
          from: "user",
        }),
      ).rejects.toThrow(/not loopback.*--insecure/);
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.STOM_BRIDGE_TOKEN;
      else process.env.STOM_BRIDGE_TOKEN = saved;
    }
    expect(err).toMatch(/listening on 0.0.0.0, reachable from other machines/);
  });
});

describe("startServer with tls", () => {
  it("serves HTTPS and wss:// with the given certificate", async () => {
    const dir = tempDir("stom-tls-");
    const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-days",
        "1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
    const bridge: Bridge = await openBridge(dir);
    const client: Client = await serve(bridge, { tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    cleanups.push(async () => {
      await client.server.close();
      await bridge.close();
    });
    expect(client.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(cert);
    const status = await new Promise<number>((resolve, reject) =>
      https
        .get(`${client.server.url}/api/health`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject),
    );
    expect(status).toBe(200);
    const ws = new WebSocket(
      `${client.server.url.replace("https", "wss")}/ws`,
      [`${WS_PROTOCOL_PREFIX}${STRONG_TOKEN}`],
      {
        ca,
      },
    );
    const hello = await new Promise<string>((resolve, reject) => {
      ws.once("message", (d) => resolve(JSON.parse(String(d)).type));
      ws.once("error", reject);
    });
    ws.close();
    expect(hello).toBe("hello");
  });
});
