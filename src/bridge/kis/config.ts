/** KIS Developers hosts (koreainvestment/open-trading-api, kis_devlp.yaml: prod/vps/ops/vops). */
export const KIS_HOSTS = {
  real: { rest: "https://openapi.koreainvestment.com:9443", ws: "ws://ops.koreainvestment.com:21000" },
  mock: { rest: "https://openapivts.koreainvestment.com:29443", ws: "ws://ops.koreainvestment.com:31000" },
} as const;

export type KisEnv = keyof typeof KIS_HOSTS;

/**
 * Transaction ids. Orders use the 2024+ ids (TTTC0012U buy / TTTC0011U sell / TTTC0013U cancel; the
 * older TTTC0802U/0801U/0803U are the same services), the mock host the same with a leading V.
 */
export const TR = {
  buy: { real: "TTTC0012U", mock: "VTTC0012U" },
  sell: { real: "TTTC0011U", mock: "VTTC0011U" },
  cancel: { real: "TTTC0013U", mock: "VTTC0013U" },
  dailyOrders: { real: "TTTC0081R", mock: "VTTC0081R" },
  balance: { real: "TTTC8434R", mock: "VTTC8434R" },
  price: { real: "FHKST01010100", mock: "FHKST01010100" },
  minuteChart: { real: "FHKST03010200", mock: "FHKST03010200" },
  trades: { real: "H0STCNT0", mock: "H0STCNT0" },
  notices: { real: "H0STCNI0", mock: "H0STCNI9" },
} as const;

export const PATHS = {
  token: "/oauth2/tokenP",
  approval: "/oauth2/Approval",
  order: "/uapi/domestic-stock/v1/trading/order-cash",
  cancel: "/uapi/domestic-stock/v1/trading/order-rvsecncl",
  dailyOrders: "/uapi/domestic-stock/v1/trading/inquire-daily-ccld",
  balance: "/uapi/domestic-stock/v1/trading/inquire-balance",
  price: "/uapi/domestic-stock/v1/quotations/inquire-price",
  minuteChart: "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice",
  websocket: "/tryitout",
} as const;

/** Requests per second KIS allows: about 20 on real accounts, about 2 on the mock host. */
export const KIS_RATE: Record<KisEnv, number> = { real: 20, mock: 2 };

export interface KisAccount {
  /** 종합계좌번호, 8 digits */
  readonly cano: string;
  /** 계좌상품코드, 2 digits (01 for a stock account) */
  readonly product: string;
}

/** Parses "CANO-ACNT_PRDT_CD" ("12345678-01") or the ten digits without the dash. */
export function parseAccount(text: string): KisAccount {
  const m = /^(\d{8})-?(\d{2})$/.exec(text.trim());
  if (!m) throw new Error(`invalid kis account: ${JSON.stringify(text)} (expected 12345678-01)`);
  return { cano: m[1], product: m[2] };
}

export interface KisCredentials {
  readonly appKey: string;
  readonly appSecret: string;
  readonly account: KisAccount;
  /** HTS id: the key of the fill-notice subscription (H0STCNI0/H0STCNI9) */
  readonly htsId?: string;
}

/** Credentials from KIS_APPKEY, KIS_APPSECRET, KIS_ACCOUNT (and optional KIS_HTS_ID); never from files or flags. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): KisCredentials {
  const appKey = env.KIS_APPKEY;
  const appSecret = env.KIS_APPSECRET;
  const account = env.KIS_ACCOUNT;
  const missing = [!appKey && "KIS_APPKEY", !appSecret && "KIS_APPSECRET", !account && "KIS_ACCOUNT"].filter(
    Boolean,
  );
  if (missing.length) throw new Error(`missing environment: ${missing.join(", ")}`);
  return {
    appKey: appKey as string,
    appSecret: appSecret as string,
    account: parseAccount(account as string),
    htsId: env.KIS_HTS_ID || undefined,
  };
}
