import type { Command } from "commander";
import { exportCommand } from "./data-export.ts";
import { fetchCommand } from "./data-fetch.ts";
import { importCommand } from "./data-import.ts";
import { lsCommand } from "./data-ls.ts";
import { queryCommand } from "./data-query.ts";
import { sampleCommand, stomFixtureCommand } from "./data-sample.ts";

/** `stom data <import|fetch|ls|query|sample>` */
export function registerDataCommands(program: Command): void {
  const data = program.command("data").description("import, fetch and query market data in the catalog");
  data.addCommand(importCommand());
  data.addCommand(fetchCommand());
  data.addCommand(lsCommand());
  data.addCommand(queryCommand());
  data.addCommand(sampleCommand());
  data.addCommand(stomFixtureCommand());
  data.addCommand(exportCommand());
}
