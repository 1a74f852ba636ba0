import { KST_OFFSET_MS } from "../engine/markets/kst.ts";

/** When a market trades. Crypto never closes; KRX trades 09:00-15:30 KST on weekdays (holidays not modelled). */
export interface Session {
  readonly name: string;
  isOpen(time: number): boolean;
  /** true when `time` is at or after the liquidation time of its trading day (STOM 전략종료시간) */
  pastEnd(time: number): boolean;
}

const minutesOfDay = (hhmm: string): number => {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`invalid session end time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** The schedule of a venue; `endTime` ("HH:MM", the venue's local time) liquidates at that time each day. */
export function sessionFor(exchange: string, { endTime }: { endTime?: string } = {}): Session {
  const end = endTime === undefined ? undefined : minutesOfDay(endTime);
  // kis is the broker; its market is krx
  if (exchange === "krx" || exchange === "kis") {
    return {
      name: "krx",
      isOpen(time) {
        const local = new Date(time + KST_OFFSET_MS);
        const day = local.getUTCDay();
        const min = local.getUTCHours() * 60 + local.getUTCMinutes();
        return day >= 1 && day <= 5 && min >= 9 * 60 && min < 15 * 60 + 30;
      },
      pastEnd(time) {
        const local = new Date(time + KST_OFFSET_MS);
        return end !== undefined && local.getUTCHours() * 60 + local.getUTCMinutes() >= end;
      },
    };
  }
  // Upbit's trading day is KST; Binance's is UTC
  const offset = exchange === "upbit" ? KST_OFFSET_MS : 0;
  return {
    name: "crypto",
    isOpen: () => true,
    pastEnd(time) {
      const local = new Date(time + offset);
      return end !== undefined && local.getUTCHours() * 60 + local.getUTCMinutes() >= end;
    },
  };
}
