// The shared STOM DB coin_tick_shift5.db as Arrow IPC for the STOM page (see stom-dbs.ts).
import { stomDbLoader } from "./stom-dbs.ts";

stomDbLoader("coin_tick_shift5.db");
