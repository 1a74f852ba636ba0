// The live feed of a market, for `stom record` and for the bridge's tick and STOM-text promotions.
import type { Feed } from "./feeds.ts";

/** STOM's layout of a market's snapshots: stock rows for KRX (KIS), coin rows otherwise. */
export function feedKind(exchange: string): "stock_tick" | "coin_tick" {
  return exchange === "kis" ? "stock_tick" : "coin_tick";
}

/**
 * A market's feed: ccxt for upbit, binance and any ccxt.pro exchange; KRX stocks through KIS, with
 * credentials from KIS_APPKEY / KIS_APPSECRET / KIS_ACCOUNT only (never flags or files), KIS_ENV=real
 * for the real host (mock otherwise). `urlOverride` (or $STOM_KIS_URL for KIS) points REST and the
 * websocket at one origin (tests: the mock venue on 127.0.0.1).
 */
export async function openFeed(exchange: string, urlOverride?: string): Promise<Feed> {
  if (exchange !== "kis") {
    const { CcxtFeed } = await import("./feeds.ts");
    return CcxtFeed.create(exchange, { urlOverride });
  }
  const [{ KisClient, credentialsFromEnv }, { KisFeed }] = await Promise.all([
    import("../../bridge/kis/index.ts"),
    import("./kis-feed.ts"),
  ]);
  const env = process.env.KIS_ENV === "real" ? "real" : "mock";
  const baseUrl = urlOverride ?? process.env.STOM_KIS_URL;
  const wsUrl = baseUrl?.replace(/^http/, "ws");
  return new KisFeed(new KisClient(credentialsFromEnv(), { env, baseUrl, wsUrl }));
}
