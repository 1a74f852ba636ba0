// The shared STOM DB stock_tick_movers_vi_rich.db as Arrow IPC for the STOM page (see stom-dbs.ts).
import { stomDbLoader } from "./stom-dbs.ts";

stomDbLoader("stock_tick_movers_vi_rich.db");
